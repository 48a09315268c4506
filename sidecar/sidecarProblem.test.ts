import { expect } from "chai";
import { ApiError } from "../contract/errors.js";
import { problem, ProblemError } from "../rest/Problem.js";
import { sidecarProblem } from "./sidecarProblem.js";
import { TokenFileError } from "./TokenFile.js";

describe("sidecarProblem", () => {
  it("names the controlplane when it is unavailable or slow", () => {
    const down = sidecarProblem(new ApiError("unavailable", "refused"), "cp:9090");
    expect(down?.status).to.equal(503);
    expect(down?.detail).to.equal("the controlplane at cp:9090 is unavailable: refused");
    expect(down?.headers).to.deep.equal({ "retry-after": "1" });
    const slow = sidecarProblem(new ApiError("deadline-exceeded", "late"), "cp:9090");
    expect(slow?.status).to.equal(504);
    expect(slow?.detail).to.equal("the controlplane at cp:9090 did not answer in time: late");
  });

  it("answers 503 when the controlplane refuses the pod's token: the workload sent none", () => {
    const refused = sidecarProblem(new ApiError("unauthenticated", "expired"), "cp");
    expect(refused?.status).to.equal(503);
    expect(refused?.detail).to.equal(
      "the controlplane at cp did not accept this pod's token: expired",
    );
    expect(refused?.headers).to.deep.equal({ "retry-after": "1" });
  });

  it("passes the controlplane's other answers on as the gateway does", () => {
    const denied = sidecarProblem(new ApiError("permission-denied", "no"), "cp");
    expect(denied?.status).to.equal(403);
    expect(denied?.detail).to.equal("no");
  });

  it("answers 503 for an unreadable token, keeps Problems, and leaves the rest to a 500", () => {
    const token = sidecarProblem(new TokenFileError("cannot read /t"), "cp");
    expect(token?.status).to.equal(503);
    expect(token?.detail).to.equal("cannot read /t");
    const own = problem(404, "Not Found", "no route");
    expect(sidecarProblem(new ProblemError(own), "cp")).to.equal(own);
    expect(sidecarProblem(new Error("bug"), "cp")).to.equal(undefined);
  });
});
