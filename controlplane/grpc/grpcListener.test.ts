import { expect } from "chai";
import { createChannel, createClient, createServer } from "nice-grpc";
import { HealthDefinition, HealthServiceImpl } from "nice-grpc-server-health";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { ListenError } from "../../common/ListenError.js";
import { createLogger } from "../../common/pinoLogger.js";
import { serveUntil, type ServeUntilOptions } from "../../common/serveUntil.js";
import { grpcListener } from "./grpcListener.js";

function options(port = 0): ServeUntilOptions {
  return {
    name: "grpc",
    listening: "gRPC listening",
    addresses: [{ host: "127.0.0.1", port }],
    create: () => {
      const server = createServer();
      server.add(HealthDefinition, HealthServiceImpl());
      return grpcListener(server);
    },
    log: createLogger("silent", "test"),
    graceMs: 0,
  };
}

describe("grpcListener", () => {
  it("throws a ListenError with the OS's reason when the port is taken", async () => {
    const holder = createNetServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      const err = await serveUntil(new AbortController().signal, options(port)).catch(
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(ListenError);
      expect((err as ListenError).message).to.equal(
        `cannot listen on 127.0.0.1:${port}: address already in use`,
      );
    } finally {
      holder.close();
    }
  });

  it("serves until the signal aborts, also when it aborts during the listen", async () => {
    const stop = new AbortController();
    let port = 0;
    const o = options();
    const create = o.create;
    const running = serveUntil(stop.signal, {
      ...o,
      create: () => {
        const listener = create();
        return {
          ...listener,
          listen: async (address) => (port = await listener.listen(address)),
        };
      },
    });
    stop.abort();
    await running;
    // Bound, then shut down once the listen was done: nothing answers there now.
    expect(port).to.be.above(0);
    const channel = createChannel(`127.0.0.1:${port}`);
    try {
      const health = createClient(HealthDefinition, channel);
      const answer = await health
        .check({ service: "" }, { signal: AbortSignal.timeout(1000) })
        .then(
          () => "answered",
          () => "refused",
        );
      expect(answer).to.equal("refused");
    } finally {
      channel.close();
    }
  });
});
