import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../cluster/paths.js";
import { spawnTied } from "../cluster/ProcessGroup.js";

const ensureVenv = join(repoRoot, "test", "schemathesis", "ensureVenv.sh");
// Where the document cannot say a rule (a page token's validity): see the file's comments.
const config = join(repoRoot, "test", "schemathesis", "schemathesis.toml");

/**
 * The path of the `schemathesis` executable, installed on first use (test/schemathesis/
 * ensureVenv.sh). Throws with the script's reason when it cannot be had: the test must fail, not
 * skip, where Python or its venv module is missing.
 */
export async function schemathesisExecutable(): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)("bash", [ensureVenv], { timeout: 5 * 60_000 });
    return stdout.trim();
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? String(err);
    throw new Error(`Schemathesis could not be installed (${ensureVenv}):\n${stderr}`, {
      cause: err,
    });
  }
}

/** One run's outcome: the exit code, what it printed, and the totals it ended with. */
export interface SchemathesisRun {
  exitCode: number | null;
  output: string;
  /** Operations, phases, stateful scenarios and test cases, as the run summed them up. */
  summary: string;
}

/** How a run is bounded: test cases per operation and phase, and the seed that picks them. */
export interface SchemathesisBounds {
  maxExamples: number;
  seed: number;
}

/**
 * Runs `schemathesis run` against the API described at `baseUrl`/openapi.json: every check, every
 * phase (stateful included), driven by the served document alone, so operations added to it are
 * tested without a change here. Requests go to `baseUrl` only.
 */
export async function runSchemathesis(
  executable: string,
  baseUrl: string,
  bounds: SchemathesisBounds,
): Promise<SchemathesisRun> {
  // Run in a folder of its own: Schemathesis keeps a cache (.schemathesis/) where it runs.
  const dir = mkdtempSync(join(tmpdir(), "jobhooks-schemathesis-"));
  const child = spawnTied("env", [
    "-C",
    dir,
    executable,
    "--no-color",
    `--config-file=${config}`,
    "run",
    `${baseUrl}/openapi.json`,
    "--checks=all",
    "--phases=examples,coverage,fuzzing,stateful",
    `--max-examples=${bounds.maxExamples}`,
    `--seed=${bounds.seed}`,
    // One worker: Python 3.11's ast module keeps its recursion depth for the whole process, so
    // two threads describing Hypothesis lambdas at once (Schemathesis' coverage phase) can fail
    // with "AST constructor recursion depth mismatch", an error of the tool, not of the API.
    "--workers=1",
    "--request-timeout=10",
    "--generation-database=none",
  ]);
  const output: string[] = [];
  child.stdout.on("data", (d: Buffer) => output.push(d.toString()));
  child.stderr.on("data", (d: Buffer) => output.push(d.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  rmSync(dir, { recursive: true, force: true });
  const text = output.join("");
  return { exitCode, output: text, summary: summaryOf(text) };
}

/**
 * The part of Schemathesis' report worth printing beside the test: scenarios, links and the
 * summary, without its `=====` banners. Its closing banner ("2 warnings in 62.47s") has the shape of
 * pytest's last line, and whoever reads the run's output for a test count would take it as a run
 * of no test.
 */
export function summaryOf(output: string): string {
  const lines = output.split("\n").map((l) => l.trimEnd());
  const scenarios = lines.filter((l) => /^\s*(Scenarios|API Links):/.test(l));
  const start = lines.findIndex((l) => / SUMMARY /.test(l));
  return [...scenarios, ...(start < 0 ? [] : lines.slice(start + 1))]
    .filter((l) => l.trim() !== "" && !/^\s*={3,}/.test(l))
    .join("\n");
}
