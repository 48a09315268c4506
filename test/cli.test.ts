import { expect } from "chai";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { envName } from "../cli/flag.js";
import { buildProgram } from "../cli/program.js";
import { JOBHOOKS_BIN } from "./support/bin.js";
import { waitFor } from "./cluster/wait.js";
import { sharedCluster } from "./support/cluster.js";
import { controlplaneKubeconfig } from "./support/controlplaneAccount.js";

const main = JOBHOOKS_BIN;

// Free ports and no file left behind, set the way a user would: through the environment.
const QUIET = { JOBHOOKS_GRPC_LISTEN: "127.0.0.1:0", JOBHOOKS_STORE: "sqlite::memory:" };

function jobhooks(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [main, ...args], {
    env: { ...process.env, ...QUIET, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Resolves with the first JSON log line whose msg matches. */
function logLine(child: ChildProcess, msg: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === msg) resolve(entry);
    });
    child.once("exit", (code) => reject(new Error(`exited (${code}) before logging "${msg}"`)));
  });
}

function exitCode(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

const healthAddresses = new WeakMap<ChildProcess, Promise<Record<string, unknown>>>();

async function readyz(child: ChildProcess): Promise<{ status: number; body: string }> {
  let listening = healthAddresses.get(child);
  if (!listening) {
    listening = logLine(child, "health endpoints listening");
    healthAddresses.set(child, listening);
  }
  const { address } = await listening;
  const res = await fetch(`http://${String(address)}/readyz`);
  return { status: res.status, body: await res.text() };
}

describe("jobhooks CLI", () => {
  it("prints its version and help; help names every flag's environment variable", () => {
    const version = spawnSync(process.execPath, [main, "version"], { encoding: "utf8" });
    expect(version.stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
    for (const cmd of buildProgram().commands.filter((c) => c.name() !== "version")) {
      const help = spawnSync(process.execPath, [main, cmd.name(), "--help"], { encoding: "utf8" });
      expect(help.status).to.equal(0);
      const text = help.stdout.replace(/\s+/g, " ");
      const longs = cmd.options.map((o) => o.long).filter((l) => l !== undefined);
      // The sidecar serves /healthz and /readyz on its own listener.
      expect(longs, cmd.name()).to.include(
        cmd.name() === "sidecar" ? "--listen" : "--health-listen",
      );
      for (const long of longs) {
        expect(text, `${cmd.name()} ${long}`).to.contain(long);
        expect(text, `${cmd.name()} ${long}`).to.contain(`env: ${envName(long)}`);
      }
    }
  });

  it("refuses bad input with a message and exit code 2", () => {
    const bad = spawnSync(process.execPath, [main, "gateway", "--health-listen", "nowhere"], {
      encoding: "utf8",
    });
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.contain('invalid listen address "nowhere"');
    const missing = spawnSync(process.execPath, [main, "controlplane"], {
      encoding: "utf8",
      env: { ...process.env, JOBHOOKS_KUBECONFIG: "/nonexistent/kubeconfig" },
    });
    expect(missing.status).to.equal(2);
    expect(missing.stderr).to.contain("kubeconfig /nonexistent/kubeconfig does not exist");
  });

  it("takes boolean flags as pod-webhook-tracker did: bare is true, --flag=false is false", () => {
    const run = (args: string[]): ReturnType<typeof spawnSync> =>
      spawnSync(process.execPath, [main, "controlplane", ...args], {
        encoding: "utf8",
        env: { ...process.env, JOBHOOKS_KUBECONFIG: "/nonexistent/kubeconfig" },
      });
    // Bare flags before another flag: parsed, so the start gets as far as the kubeconfig.
    for (const args of [
      ["--allow-negative", "--remove-on-zero", "--anonymous-auth", "--label=busy"],
      ["--remove-on-zero=false", "--allow-negative=true", "--self-signed=false"],
      ["--label=busy", "--allow-negative"],
    ]) {
      const ok = run(args);
      expect(ok.status, `${args.join(" ")}: ${String(ok.stderr)}`).to.equal(2);
      expect(String(ok.stderr)).to.contain("kubeconfig /nonexistent/kubeconfig does not exist");
    }
    const separate = run(["--allow-negative", "false"]);
    expect(separate.status).to.equal(1);
    expect(String(separate.stderr)).to.contain("write --allow-negative=false");
    const bad = run(["--remove-on-zero=yes"]);
    expect(bad.status).to.equal(1);
    expect(String(bad.stderr)).to.contain("'yes' is invalid. Expected true or false");
  });

  describe("controlplane against the test cluster @cluster", function () {
    this.timeout(20 * 60_000);

    it("takes its flags from JOBHOOKS_* variables, is ready while the apiserver answers, stops on SIGTERM", async function () {
      this.timeout(30_000);
      const cluster = await sharedCluster();
      // As the ServiceAccount the manifests install it with, as every controlplane test runs.
      const child = jobhooks(["controlplane"], {
        JOBHOOKS_KUBECONFIG: await controlplaneKubeconfig(cluster),
        JOBHOOKS_HEALTH_LISTEN: "127.0.0.1:0",
      });
      try {
        const { body } = await waitFor("/readyz 200", async () => {
          const r = await readyz(child);
          return r.status === 200 ? r : undefined;
        });
        expect(body).to.contain("[+] kube-apiserver ok");
        expect(body).to.contain("[+] job-watch ok");
        const stopped = logLine(child, "stopped");
        child.kill("SIGTERM");
        await stopped;
        expect(await exitCode(child)).to.equal(0);
      } finally {
        child.kill("SIGKILL");
      }
    });

    it("is not ready when the apiserver cannot be reached", async function () {
      this.timeout(30_000);
      const cluster = await sharedCluster();
      // The cluster's own kubeconfig, pointed at a port nothing listens on.
      const kubeconfig = join(tmpdir(), `jobhooks-unreachable-${process.pid}.yaml`);
      writeFileSync(
        kubeconfig,
        (await cluster.kubectl(["config", "view", "--raw"])).replace(
          cluster.server,
          "https://127.0.0.1:1",
        ),
      );
      const child = jobhooks([
        "controlplane",
        "--kubeconfig",
        kubeconfig,
        "--health-listen",
        "127.0.0.1:0",
      ]);
      try {
        const { status, body } = await readyz(child);
        expect(status).to.equal(503);
        expect(body).to.contain("[-] kube-apiserver");
        child.kill("SIGTERM");
        expect(await exitCode(child)).to.equal(0);
      } finally {
        child.kill("SIGKILL");
      }
    });
  });
});
