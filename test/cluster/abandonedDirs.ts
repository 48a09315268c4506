import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const OWNER_FILE = "owner.pid";

/**
 * A new folder under the OS temp dir whose name starts with `prefix`, marked with this process
 * as its owner; folders of that prefix whose owner died first (a kill -9 leaves them) go.
 */
export async function ownedTempDir(prefix: string): Promise<string> {
  await sweepAbandonedDirs(prefix);
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(join(dir, OWNER_FILE), String(process.pid));
  return dir;
}

/** Removes the folders of test runs that were killed before they could clean up. */
export async function sweepAbandonedDirs(prefix: string): Promise<void> {
  const root = tmpdir();
  for (const name of await readdir(root)) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(root, name);
    const pid = Number(await readFile(join(dir, OWNER_FILE), "utf8").catch(() => "0"));
    if (pid > 0 && processExists(pid)) continue;
    // No owner yet may mean another run is just creating it.
    const age = Date.now() - (await stat(dir)).mtimeMs;
    if (pid === 0 && age < 60_000) continue;
    await rm(dir, { recursive: true, force: true });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
