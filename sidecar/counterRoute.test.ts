import { expect } from "chai";
import { ProblemError } from "../rest/Problem.js";
import { checkCounterQuery } from "./counterRoute.js";

const query = (q: string): URLSearchParams => new URLSearchParams(q);

describe("checkCounterQuery", () => {
  it("takes no query, or pod-webhook-tracker's ?pod_name= naming this pod", () => {
    expect(() => checkCounterQuery(query(""), "worker-0")).not.to.throw();
    expect(() => checkCounterQuery(query("pod_name=worker-0"), "worker-0")).not.to.throw();
    expect(() => checkCounterQuery(query(""), undefined)).not.to.throw();
  });

  it("refuses another pod, a pod it cannot check, a repeat and unknown parameters", () => {
    for (const [q, own] of [
      ["pod_name=worker-1", "worker-0"],
      ["pod_name=worker-0", undefined],
      ["pod_name=worker-0&pod_name=worker-0", "worker-0"],
      ["pod=worker-0", "worker-0"],
    ] as const) {
      expect(() => checkCounterQuery(query(q), own), q)
        .to.throw(ProblemError)
        .with.property("status", 400);
    }
  });
});
