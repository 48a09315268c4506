import type { V1Pod } from "@kubernetes/client-node";
import { expect } from "chai";
import { MAX_FAILED_PODS, podFailures } from "./podFailures.js";

function pod(
  name: string,
  phase: string,
  startTime: string,
  over: Omit<NonNullable<V1Pod["status"]>, "phase" | "startTime"> = {},
): V1Pod {
  return { metadata: { name }, status: { ...over, phase, startTime: new Date(startTime) } };
}

const oom = {
  name: "main",
  ready: false,
  restartCount: 0,
  image: "i",
  imageID: "",
  state: { terminated: { exitCode: 137, reason: "OOMKilled", message: "x".repeat(3000) } },
};
const fine = { ...oom, name: "sidecar", state: { terminated: { exitCode: 0 } } };

describe("podFailures", () => {
  it("tells the failed pods, newest first, with the containers that exited non-zero", () => {
    const pods = [
      pod("old", "Failed", "2026-01-01T00:00:00Z", { reason: "Evicted" }),
      pod("ok", "Succeeded", "2026-01-01T00:00:02Z", { containerStatuses: [fine] }),
      pod("new", "Failed", "2026-01-01T00:00:01Z", {
        initContainerStatuses: [{ ...oom, name: "setup" }],
        containerStatuses: [oom, fine],
      }),
    ];
    const told = podFailures(pods);
    expect(told.map((p) => [p.pod, p.reason])).to.deep.equal([
      ["new", ""],
      ["old", "Evicted"],
    ]);
    expect(told[0]?.containers.map((c) => [c.name, c.exitCode, c.reason])).to.deep.equal([
      ["setup", 137, "OOMKilled"],
      ["main", 137, "OOMKilled"],
    ]);
    expect(told[0]?.containers[0]?.message).to.have.length(1024);
    expect(told[1]?.containers).to.deep.equal([]);
  });

  it("tells at most a few pods", () => {
    const many = Array.from({ length: 20 }, (_, i) =>
      pod(`p${i}`, "Failed", `2026-01-01T00:00:${String(i).padStart(2, "0")}Z`),
    );
    const told = podFailures(many);
    expect(told).to.have.length(MAX_FAILED_PODS);
    expect(told[0]?.pod).to.equal("p19");
  });
});
