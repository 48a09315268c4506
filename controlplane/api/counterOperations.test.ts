import { expect } from "chai";
import { ApiError } from "../../contract/errors.js";
import type { CounterRequest } from "../../contract/model.js";
import { ANONYMOUS, type Caller } from "../auth/Caller.js";
import type { PodCounter } from "../podcounter/PodCounter.js";
import { RuleAuth, serviceAccount } from "../../test/support/serviceFixture.js";
import { counterOperations } from "./counterOperations.js";

// Every case here is refused before the counter is reached; reaching it fails the test.
const unreachable = {
  apply: () => Promise.reject(new Error("the counter was reached")),
} as unknown as PodCounter;

describe("counter operations", () => {
  const auth = new RuleAuth({
    counter: [{ verb: "update", resource: "podcounters", namespace: "team" }],
  });
  const counter: Caller = { ...ANONYMOUS, username: "counter" };
  const ops = counterOperations(unreachable, {
    auth,
    defaultNamespace: "fallback",
    namespaces: ["team", "fallback", "other"],
  });

  async function refused(caller: Caller, request: CounterRequest): Promise<ApiError> {
    const err = await ops.count(caller, request, 1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, JSON.stringify(request)).to.be.instanceOf(ApiError);
    return err as ApiError;
  }

  it("lets a pod count for itself only", async () => {
    const pod = serviceAccount("team", "runner", "worker-0");
    for (const request of [{ podName: "worker-1" }, { namespace: "other" }]) {
      const err = await refused(pod, request);
      expect(err.code).to.equal("permission-denied");
      expect(err.message).to.contain("may count for that pod only");
    }
    // Its own pod is not refused: it reaches the counter, without asking RBAC.
    auth.asked.length = 0;
    const own = await ops
      .count(pod, { podName: "worker-0" }, 1)
      .catch((e: unknown) => (e as Error).message);
    expect(own).to.equal("the counter was reached");
    expect(auth.asked).to.deep.equal([]);
  });

  it("asks RBAC in the pod's namespace of any other caller, the namespace defaulted", async () => {
    auth.asked.length = 0;
    expect((await refused(counter, { podName: "p" })).code).to.equal("permission-denied");
    expect(auth.asked).to.deep.equal([
      { verb: "update", resource: "podcounters", namespace: "fallback" },
    ]);
    const granted = await ops
      .count(counter, { podName: "p", namespace: "team" }, 0)
      .catch((e: unknown) => (e as Error).message);
    expect(granted).to.equal("the counter was reached");
  });

  it("names bad fields as the domain does, and refuses namespaces not served", async () => {
    expect((await refused(counter, {})).violations.map((v) => v.field)).to.deep.equal(["podName"]);
    const bad = await refused(counter, { podName: "Not A Pod", namespace: "Bad" });
    expect(bad.code).to.equal("invalid-argument");
    expect(bad.violations.map((v) => v.field)).to.deep.equal(["podName", "namespace"]);
    expect((await refused(counter, { podName: "p", namespace: "elsewhere" })).code).to.equal(
      "permission-denied",
    );
  });
});
