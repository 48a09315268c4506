import { setFlagsFromString } from "node:v8";
import { reportFailure } from "./reportFailure.js";
import type { ServeSidecarOptions } from "./serveSidecar.js";
import { parseSidecarArgs } from "./sidecarArgs.js";

/** `jobhooks sidecar` with its options, however they were parsed. */
export async function startSidecar(options: ServeSidecarOptions): Promise<void> {
  sidecarV8Flags();
  const { serveSidecar } = await import("./serveSidecar.js");
  await serveSidecar(options);
}

/**
 * One sidecar runs in every injected pod and does little work per request, so its memory counts
 * more than its speed. Set before the sidecar's modules load (serve.js is imported after this):
 * - --no-opt: V8's optimising compiler (TurboFan) does not pay; its compile jobs during start-up
 *   leave several MB behind. Idle RSS measured 58-71 MiB with it, about 60 MiB without.
 *   Sparkplug still compiles hot code.
 * - --semi-space-growth-factor=1: the young generation keeps the size it starts with
 *   rather than doubling while start-up's module loading survives scavenges, a size V8 then
 *   keeps, nearly empty, while the sidecar idles: 1.5 MiB less idle RSS, start to ready no
 *   slower. The sidecar's requests are small; a burst of them costs more scavenges, not memory.
 */
function sidecarV8Flags(): void {
  setFlagsFromString("--no-opt");
  setFlagsFromString("--semi-space-growth-factor=1");
}

/**
 * Runs `jobhooks sidecar` when `argv` (process.argv) is one whose arguments sidecarArgs.ts reads
 * without commander, and returns its exit code; undefined for any other command line, which is
 * program.ts' to parse.
 */
export async function runSidecar(argv: readonly string[]): Promise<number | undefined> {
  if (argv[2] !== "sidecar") return undefined;
  const options = parseSidecarArgs(argv.slice(3), process.env);
  if (options === undefined) return undefined;
  try {
    await startSidecar(options);
    return 0;
  } catch (err) {
    return reportFailure(err);
  }
}
