import { expect } from "chai";
import { createServer, ServerError, Status, type Server } from "nice-grpc";
import { errorDetailsServerMiddleware } from "nice-grpc-error-details";
import { HealthDefinition, HealthServiceImpl, HealthState } from "nice-grpc-server-health";
import { setTimeout as sleep } from "node:timers/promises";
import { createLogger } from "../../common/pinoLogger.js";
import { ApiError, PreconditionError, ValidationError } from "../../contract/errors.js";
import { errorMappingMiddleware } from "../../controlplane/grpc/errorMapping.js";
import {
  PodCounterServiceDefinition,
  type CounterRequest,
  type CounterValue,
} from "../../proto/gen/jobhooks/v1/podcounter.js";
import { connectControlplane } from "../connect.js";
import { fromGrpcError } from "../fromGrpcError.js";
import { connectLiteApi, connectLiteControlplane } from "../liteApi.js";
import { Http2Channel } from "./Http2Channel.js";

// A real nice-grpc server with the controlplane's error mapping; the light client is held to
// what nice-grpc's client (connect.ts, with its middlewares) does against it.

interface Behaviour {
  attempts: Map<string, number>;
  authorization: string[];
}

function counterImpl(b: Behaviour, method: string) {
  return async (
    r: CounterRequest,
    ctx: { metadata: { get(k: string): unknown }; signal: AbortSignal },
  ): Promise<CounterValue> => {
    const key = `${method}:${r.podName}`;
    b.attempts.set(key, (b.attempts.get(key) ?? 0) + 1);
    b.authorization.push(String(ctx.metadata.get("authorization")));
    switch (r.podName) {
      case "invalid":
        throw new ValidationError([{ field: "podName", description: "is required" }]);
      case "precondition":
        throw new PreconditionError("not ended", [
          { type: "ACTIVE", subject: "jobdonewatchers/w1", description: "has not ended" },
        ]);
      case "down":
        throw new ServerError(Status.UNAVAILABLE, "briefly down");
      case "slow":
        await sleep(400, undefined, { signal: ctx.signal }).catch(() => undefined);
        break;
    }
    return { namespace: r.namespace, podName: r.podName, value: 7, lease: undefined, released: 0 };
  };
}

class TestServer {
  readonly behaviour: Behaviour = { attempts: new Map(), authorization: [] };
  readonly health = HealthState();
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    const b = this.behaviour;
    const server = createServer()
      .use(errorDetailsServerMiddleware)
      .use(errorMappingMiddleware(createLogger("silent", "test")));
    server.add(PodCounterServiceDefinition, {
      increment: counterImpl(b, "increment"),
      decrement: counterImpl(b, "decrement"),
      getCounter: counterImpl(b, "getCounter"),
      renewLease: () => Promise.reject(new ServerError(Status.UNIMPLEMENTED, "")),
      releaseLease: () => Promise.reject(new ServerError(Status.UNIMPLEMENTED, "")),
      forceRelease: () => Promise.reject(new ServerError(Status.UNIMPLEMENTED, "")),
    });
    server.add(HealthDefinition, HealthServiceImpl(this.health));
    this.port = await server.listen(`127.0.0.1:${this.port}`);
    this.server = server;
  }

  stop(): void {
    this.server?.forceShutdown();
    this.server = undefined;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }
}

// Both clients' outcome of a call: the value, or the ApiError (or abort) fromGrpcError gives.
async function outcome(call: () => Promise<CounterValue>): Promise<unknown> {
  try {
    return (await call()).value;
  } catch (err) {
    const e = fromGrpcError(err);
    if (e instanceof ApiError) {
      return {
        code: e.code,
        message: e.message,
        violations: e.violations,
        preconditions: e.preconditions,
      };
    }
    return { name: (e as Error).name, message: (e as Error).message };
  }
}

describe("client/lite against a nice-grpc server", () => {
  const server = new TestServer();
  let channel: Http2Channel;
  let lite: ReturnType<typeof connectLiteControlplane>;
  let nice: ReturnType<typeof connectControlplane>;

  before(async () => {
    await server.start();
    channel = new Http2Channel(server.address);
    lite = connectLiteControlplane(channel, { deadlineMs: 2000 });
    nice = connectControlplane(server.address, { deadlineMs: 2000 });
  });

  after(() => {
    lite.close();
    nice.close();
    server.stop();
  });

  beforeEach(() => {
    server.behaviour.attempts.clear();
    server.behaviour.authorization.length = 0;
  });

  it("answers a call, with the caller's authorization as metadata", async () => {
    const v = await lite.podCounter.increment(
      { podName: "ok", namespace: "ns" },
      { authorization: "Bearer t" },
    );
    expect(v).to.deep.include({ podName: "ok", namespace: "ns", value: 7 });
    expect(server.behaviour.authorization).to.deep.equal(["Bearer t"]);
  });

  for (const podName of ["invalid", "precondition"]) {
    it(`gives the same ApiError as nice-grpc for ${podName} (rich error details)`, async () => {
      const fromLite = await outcome(() => lite.podCounter.increment({ podName }));
      const fromNice = await outcome(() => nice.podCounter.increment({ podName }));
      expect(fromLite).to.deep.equal(fromNice);
      expect(fromLite)
        .to.have.property("code")
        .that.is.oneOf(["invalid-argument", "failed-precondition"]);
    });
  }

  it("fails an attempt past its deadline with DEADLINE_EXCEEDED, as nice-grpc does", async () => {
    const liteSlow = connectLiteControlplane(channel, { deadlineMs: 100 });
    const niceSlow = connectControlplane(server.address, { deadlineMs: 100 });
    try {
      const fromLite = await outcome(() => liteSlow.podCounter.increment({ podName: "slow" }));
      const fromNice = await outcome(() => niceSlow.podCounter.increment({ podName: "slow" }));
      expect(fromLite).to.deep.equal(fromNice);
      expect(fromLite).to.deep.include({ code: "deadline-exceeded", message: "Deadline exceeded" });
    } finally {
      niceSlow.close();
    }
  });

  it("stops a call its signal aborts, with an AbortError", async () => {
    const call = lite.podCounter.increment(
      { podName: "slow" },
      { signal: AbortSignal.timeout(50) },
    );
    const fromLite = await outcome(() => call);
    const fromNice = await outcome(() =>
      nice.podCounter.increment({ podName: "slow" }, { signal: AbortSignal.timeout(50) }),
    );
    expect(fromLite).to.deep.equal(fromNice);
    expect(fromLite).to.deep.include({ name: "AbortError" });
  });

  it("retries UNAVAILABLE for NO_SIDE_EFFECTS methods (or when asked), never for the others", async () => {
    const attempts = async (client: typeof lite | typeof nice): Promise<number[]> => {
      server.behaviour.attempts.clear();
      const started = performance.now();
      await outcome(() => client.podCounter.getCounter({ podName: "down" }));
      const retriedMs = performance.now() - started;
      await outcome(() => client.podCounter.increment({ podName: "down" }));
      await outcome(() => client.podCounter.decrement({ podName: "down" }, { retry: true }));
      await outcome(() => client.podCounter.getCounter({ podName: "down" }, { retry: false }));
      const a = server.behaviour.attempts;
      return [
        a.get("getCounter:down") ?? 0,
        a.get("increment:down") ?? 0,
        a.get("decrement:down") ?? 0,
        retriedMs,
      ];
    };
    const [liteGet, liteIncrement, liteDecrement, liteMs] = await attempts(lite);
    const [niceGet, niceIncrement, niceDecrement] = await attempts(nice);
    // The first attempt and retryMaxAttempts (3) retries, backing off 50–100, 100–200, 200–400 ms.
    expect([liteGet, liteIncrement, liteDecrement]).to.deep.equal([4 + 1, 1, 4]);
    expect([liteGet, liteIncrement, liteDecrement]).to.deep.equal([
      niceGet,
      niceIncrement,
      niceDecrement,
    ]);
    expect(liteMs).to.be.within(340, 1500);
  });

  it("is ready while the server's health is SERVING", async () => {
    const api = connectLiteApi(server.address);
    try {
      expect(await api.ready()).to.equal(true);
      server.health.setStatus("unhealthy");
      expect(await api.ready()).to.equal("the controlplane is NOT_SERVING");
    } finally {
      server.health.setStatus("healthy");
      api.close();
    }
  });

  it("fails with UNAVAILABLE while the server is down and reconnects soon after it restarts", async () => {
    expect(await outcome(() => lite.podCounter.increment({ podName: "ok" }))).to.equal(7);
    server.stop();
    const down = await outcome(() => lite.podCounter.increment({ podName: "ok" }));
    expect(down).to.deep.include({ code: "unavailable" });
    expect((down as { message: string }).message).to.match(
      /ECONNREFUSED|Connection dropped|No connection/,
    );
    await server.start();
    const restarted = performance.now();
    let value: unknown;
    while (value !== 7 && performance.now() - restarted < 3000) {
      value = await outcome(() => lite.podCounter.increment({ podName: "ok" }));
      if (value !== 7) await sleep(20);
    }
    expect(value).to.equal(7);
    // The channel's first wait after a refused connection is 200 ms ± 20 %.
    expect(performance.now() - restarted).to.be.below(1000);
  });
});
