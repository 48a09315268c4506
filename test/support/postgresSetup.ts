import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { spawnTied, type TiedOptions } from "../cluster/ProcessGroup.js";

const run = promisify(execFile);
const DEBIAN_ROOT = "/usr/lib/postgresql";

/**
 * The folder of the PostgreSQL server binaries (initdb, postgres): `pg_config --bindir` where
 * that names one (pg_config comes with libpq-dev and may belong to another version than the
 * server), else the newest /usr/lib/postgresql/<version>/bin, where Debian's package puts them.
 */
export async function postgresBinDir(): Promise<string> {
  const configured = await run("pg_config", ["--bindir"]).then(
    ({ stdout }) => stdout.trim(),
    () => "",
  );
  if (configured !== "" && existsSync(join(configured, "initdb"))) return configured;
  const versions = await readdir(DEBIAN_ROOT).catch(() => []);
  const newest = versions
    .filter((v) => existsSync(join(DEBIAN_ROOT, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) {
    throw new Error(
      `no PostgreSQL server binaries (no ${DEBIAN_ROOT}/*/bin/initdb): install Debian's postgresql package, as .ci/run does`,
    );
  }
  return join(DEBIAN_ROOT, newest, "bin");
}

/**
 * Whom initdb and the server run as: the current user, or the postgres user when we are root
 * (both refuse to run as root).
 */
export async function serverUser(): Promise<TiedOptions> {
  if (process.getuid?.() !== 0) return {};
  try {
    const id = async (flag: string): Promise<number> =>
      Number((await run("id", [flag, "postgres"])).stdout.trim());
    return { uid: await id("-u"), gid: await id("-g") };
  } catch {
    throw new Error(
      "running as root, and there is no postgres user to run PostgreSQL as (Debian's postgresql package creates it)",
    );
  }
}

/** Runs a command to its end, tied like every child of the tests; rejects with its output. */
export async function runTied(
  command: string,
  args: string[],
  options: TiedOptions,
): Promise<void> {
  const child = spawnTied(command, args, options);
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (code !== 0) throw new Error(`${command} exited with ${code}:\n${output.trim()}`);
}
