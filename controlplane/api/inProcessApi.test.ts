import { expect } from "chai";
import { createLogger } from "../../common/pinoLogger.js";
import { ApiError } from "../../contract/errors.js";
import { ANONYMOUS, type Caller } from "../auth/Caller.js";
import { RuleAuth, testService } from "../../test/support/serviceFixture.js";
import type { JobhooksApi } from "../../contract/JobhooksApi.js";
import type { Store } from "../store/Store.js";
import { inProcessApi } from "./inProcessApi.js";

describe("inProcessApi", () => {
  const admin: Caller = { ...ANONYMOUS, username: "admin" };
  const auth = new RuleAuth(
    {
      admin: [
        { verb: "create", resource: "webhooks" },
        { verb: "create", resource: "jobdonewatchers" },
        { verb: "get", resource: "jobdonewatchers" },
      ],
    },
    { "Bearer admin": admin },
  );

  function api(ready: true | string = true): { store: Store; api: JobhooksApi } {
    const service = testService(auth);
    const fail = (): Promise<never> => Promise.reject(new Error());
    const brokenCounter = {
      count: fail,
      renewLease: fail,
      releaseLease: fail,
      forceRelease: fail,
    };
    const broken = {
      ...service.webhooks,
      get: () => Promise.reject(new Error("disk on fire")),
    };
    return {
      store: service.store,
      api: inProcessApi(
        { ...service, webhooks: broken, podCounter: brokenCounter },
        { auth, log: createLogger("silent", "test"), ready: () => ready },
      ),
    };
  }

  it("calls the operations as the caller its credentials name", async () => {
    const { api: a, store } = api();
    const hook = await a.webhooks.create(
      { authorization: "Bearer admin" },
      { url: "http://127.0.0.1:59999/" },
    );
    expect(hook.url).to.equal("http://127.0.0.1:59999/");
    const anonymous = await a.webhooks
      .create({}, { url: "http://127.0.0.1:59999/" })
      .catch((e: unknown) => e);
    expect(anonymous).to.be.instanceOf(ApiError).and.include({ code: "permission-denied" });
    await store.close();
  });

  it("answers an unexpected error as internal, without its details", async () => {
    const { api: a, store } = api();
    const err = await a.webhooks
      .get({ authorization: "Bearer admin" }, "x")
      .catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ApiError).and.include({ code: "internal" });
    expect((err as Error).message).to.not.contain("disk");
    await store.close();
  });

  it("streams a watcher in process", async () => {
    const { api: a, store } = api();
    const options = { authorization: "Bearer admin" };
    const w = await a.watchers.create(options, { jobName: "j" });
    const stop = new AbortController();
    for await (const seen of a.watchers.watch(options, w.id, stop.signal)) {
      expect(seen.id).to.equal(w.id);
      stop.abort();
      break;
    }
    await store.close();
  });

  it("is ready as the controlplane's own health says", async () => {
    expect(await api().api.ready()).to.equal(true);
    expect(await api("the store cannot write").api.ready()).to.equal("the store cannot write");
  });
});
