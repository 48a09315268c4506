import {
  spawn,
  type ChildProcess,
  type ChildProcessByStdio,
  type SpawnOptions,
} from "node:child_process";
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import type { Readable } from "node:stream";

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Who a tied child runs as, and where: another user's uid and gid need root. */
export type TiedOptions = Pick<SpawnOptions, "uid" | "gid" | "cwd">;

export interface ManagedProcess {
  readonly name: string;
  readonly logPath: string;
  readonly child: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  running(): boolean;
  /** The last lines the process wrote, for error messages. */
  logTail(lines?: number): string;
}

// Children still alive when this process exits, however it exits, are killed here; and where
// setpriv exists each child also gets SIGKILL from the kernel when this process dies, so even a
// kill -9 of the test runner leaves no etcd or apiserver behind.
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});
const setpriv = findOnPath("setpriv");

/**
 * Long-running processes that live and die together: each logs to its own file, and stop()
 * ends them in reverse start order, SIGTERM first and SIGKILL after a grace period.
 */
export class ProcessGroup {
  private readonly processes: ManagedProcess[] = [];
  /** How each process was started, so restart() can start it again. */
  private readonly commands = new Map<
    ManagedProcess,
    { command: string; args: string[]; options: TiedOptions }
  >();
  /** Processes whose exit a test caused on purpose (kill()): not worth a report. */
  private readonly killed = new Set<ManagedProcess>();
  private stopping = false;

  constructor(
    private readonly logDir: string,
    private readonly onUnexpectedExit: (p: ManagedProcess, exit: ExitInfo) => void = () => {},
  ) {}

  start(name: string, command: string, args: string[], options: TiedOptions = {}): ManagedProcess {
    const managed = this.spawn(name, { command, args, options });
    this.processes.push(managed);
    return managed;
  }

  /**
   * Sends `signal` (default SIGKILL, as a crash would) to the running process `name` and waits
   * until it has exited; its exit is expected, not reported. Resolves how it exited.
   */
  async kill(name: string, signal: NodeJS.Signals = "SIGKILL"): Promise<ExitInfo> {
    const p = this.processes.find((q) => q.name === name && q.running());
    if (!p) throw new Error(`no running process named ${name}`);
    this.killed.add(p);
    p.child.kill(signal);
    return p.exited;
  }

  /** Starts again, with the same command and arguments, the process `name` that kill() ended. */
  restart(name: string): ManagedProcess {
    const index = this.processes.findIndex((q) => q.name === name);
    const old = this.processes[index];
    const how = old && this.commands.get(old);
    if (!old || !how) throw new Error(`no process named ${name}`);
    if (old.running()) throw new Error(`${name} is still running`);
    const managed = this.spawn(name, how);
    // Same place in the start order, so stop() still ends it between its neighbours.
    this.processes[index] = managed;
    this.commands.delete(old);
    this.killed.delete(old);
    return managed;
  }

  private spawn(
    name: string,
    how: { command: string; args: string[]; options: TiedOptions },
  ): ManagedProcess {
    const logPath = join(this.logDir, `${name}.log`);
    const log = createWriteStream(logPath, { flags: "a" });
    const child = spawnTied(how.command, how.args, how.options);
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    live.add(child);
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once("exit", (code, signal) => {
        live.delete(child);
        resolve({ code, signal });
      });
      child.once("error", (err) => {
        log.write(`spawn failed: ${err.message}\n`);
      });
    });
    const managed: ManagedProcess = {
      name,
      logPath,
      child,
      exited,
      running: () => child.exitCode === null && child.signalCode === null,
      logTail: (lines = 20) => tail(logPath, lines),
    };
    void exited.then((exit) => {
      if (!this.stopping && !this.killed.has(managed)) this.onUnexpectedExit(managed, exit);
    });
    this.commands.set(managed, how);
    return managed;
  }

  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    for (const p of [...this.processes].reverse()) {
      if (!p.running()) continue;
      p.child.kill("SIGTERM");
      const timer = setTimeout(() => p.child.kill("SIGKILL"), graceMs);
      await p.exited;
      clearTimeout(timer);
    }
  }
}

/**
 * Spawns a child that the kernel kills when this process dies, however it dies (where setpriv
 * exists), with stdout and stderr piped. With a uid, the child takes it before setpriv runs: the
 * kernel clears the death signal when a process changes its user, so it must be set after.
 */
export function spawnTied(
  command: string,
  args: string[],
  options: TiedOptions = {},
): ChildProcessByStdio<null, Readable, Readable> {
  const argv = setpriv ? ["--pdeathsig", "KILL", "--", command, ...args] : args;
  return spawn(setpriv ?? command, argv, { ...options, stdio: ["ignore", "pipe", "pipe"] });
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

function findOnPath(command: string): string | undefined {
  if (process.platform !== "linux") return undefined;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, command);
    if (dir !== "" && existsSync(candidate)) return candidate;
  }
  return undefined;
}
