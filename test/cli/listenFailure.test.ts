import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:net";
import { createInterface } from "node:readline";
import { JOBHOOKS_BIN } from "../support/bin.js";
import { spawnTied } from "../cluster/ProcessGroup.js";
import { sharedCluster } from "../support/cluster.js";
import { controlplaneKubeconfig } from "../support/controlplaneAccount.js";
import { injectorArgs } from "../support/injector.js";

const main = JOBHOOKS_BIN;
/** The bound: from the listen attempt to the process's exit. */
const EXIT_WITHIN_MS = 2000;
/** Past this a process is taken to hang, and killed. */
const HANG_MS = 15_000;

/** A port on 127.0.0.1 held by this process, as another program would hold it. */
async function takePort(): Promise<{ address: string; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { address: `127.0.0.1:${port}`, server };
}

interface Outcome {
  code: number | null;
  stderr: string;
  /** From the "jobhooks ROLE starting" line (logged as the parts start listening) to exit. */
  ms: number;
}

/** Runs jobhooks ARGS until it exits, or kills it HANG_MS after its start line. */
async function runToExit(args: string[]): Promise<Outcome> {
  const child: ChildProcess = spawnTied(process.execPath, [main, ...args, "--log-level=info"]);
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  let started: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (started === undefined && line.includes(`"jobhooks ${args[0] ?? ""} starting"`)) {
      started = Date.now();
      timer = setTimeout(() => child.kill("SIGKILL"), HANG_MS);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  expect(started, `never started:\n${stderr}`).to.not.equal(undefined);
  return { code, stderr, ms: Date.now() - (started ?? 0) };
}

/** The process stops at once, non-zero, with one line that names the address and the flag. */
function expectListenFailure(outcome: Outcome, role: string, address: string, flag: string): void {
  const context = `exit ${outcome.code} after ${outcome.ms} ms; stderr:\n${outcome.stderr}`;
  expect(outcome.code, context).to.be.a("number").and.not.equal(0);
  expect(outcome.ms, context).to.be.below(EXIT_WITHIN_MS);
  expect(outcome.stderr, context).to.equal(
    `jobhooks ${role}: cannot listen on ${address} (${flag}): address already in use\n`,
  );
}

async function withTakenPort(test: (address: string) => Promise<void>): Promise<void> {
  const { address, server } = await takePort();
  try {
    await test(address);
  } finally {
    server.close();
  }
}

describe("a listen failure ends the process", function () {
  this.timeout(HANG_MS + 30_000);

  it("gateway: --listen or --health-listen taken", async () => {
    // No controlplane answers at 127.0.0.1:1; the gateway listens without one.
    const gateway = (listen: string, health: string): string[] => [
      "gateway",
      "--controlplane=127.0.0.1:1",
      `--listen=${listen}`,
      `--health-listen=${health}`,
    ];
    await withTakenPort(async (taken) => {
      const outcome = await runToExit(gateway(taken, "127.0.0.1:0"));
      expectListenFailure(outcome, "gateway", taken, "--listen");
    });
    await withTakenPort(async (taken) => {
      const outcome = await runToExit(gateway("127.0.0.1:0", taken));
      expectListenFailure(outcome, "gateway", taken, "--health-listen");
    });
  });

  it("sidecar: --probe-listen or --listen taken", async () => {
    const sidecar = (listen: string, probes: string): string[] => [
      "sidecar",
      "--controlplane=127.0.0.1:1",
      "--token-file=/nonexistent/token",
      `--listen=${listen}`,
      `--probe-listen=${probes}`,
    ];
    await withTakenPort(async (taken) => {
      const outcome = await runToExit(sidecar("127.0.0.1:0", taken));
      expectListenFailure(outcome, "sidecar", taken, "--probe-listen");
    });
    await withTakenPort(async (taken) => {
      const outcome = await runToExit(sidecar(taken, "127.0.0.1:0"));
      expectListenFailure(outcome, "sidecar", taken, "--listen");
    });
  });

  describe("against the test cluster @cluster", () => {
    const serverArgs = async (role: "controlplane" | "all", flags: string[]): Promise<string[]> => {
      const cluster = await sharedCluster();
      return [
        role,
        `--kubeconfig=${await controlplaneKubeconfig(cluster)}`,
        "--store=sqlite::memory:",
        "--auth=none",
        ...flags,
      ];
    };
    const free = {
      health: "--health-listen=127.0.0.1:0",
      grpc: "--grpc-listen=127.0.0.1:0",
      rest: "--listen=127.0.0.1:0",
    };

    it("controlplane: --health-listen taken", async () => {
      await withTakenPort(async (taken) => {
        const args = await serverArgs("controlplane", [free.grpc, `--health-listen=${taken}`]);
        expectListenFailure(await runToExit(args), "controlplane", taken, "--health-listen");
      });
    });

    it("controlplane: --grpc-listen taken", async () => {
      await withTakenPort(async (taken) => {
        const args = await serverArgs("controlplane", [free.health, `--grpc-listen=${taken}`]);
        expectListenFailure(await runToExit(args), "controlplane", taken, "--grpc-listen");
      });
    });

    it("controlplane: --webhook-listen taken", async () => {
      await withTakenPort(async (taken) => {
        const injector = injectorArgs("127.0.0.1:9090").filter(
          (a) => !a.startsWith("--webhook-listen="),
        );
        const args = await serverArgs("controlplane", [
          free.health,
          free.grpc,
          ...injector,
          `--webhook-listen=${taken}`,
        ]);
        expectListenFailure(await runToExit(args), "controlplane", taken, "--webhook-listen");
      });
    });

    it("all: --health-listen or --listen taken", async () => {
      await withTakenPort(async (taken) => {
        const args = await serverArgs("all", [free.grpc, free.rest, `--health-listen=${taken}`]);
        expectListenFailure(await runToExit(args), "all", taken, "--health-listen");
      });
      await withTakenPort(async (taken) => {
        const args = await serverArgs("all", [free.grpc, free.health, `--listen=${taken}`]);
        expectListenFailure(await runToExit(args), "all", taken, "--listen");
      });
    });
  });
});
