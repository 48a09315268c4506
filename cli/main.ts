#!/usr/bin/env -S node --max-semi-space-size=4
import { runSidecar } from "./runSidecar.js";

// The sidecar, in every injected pod, starts without commander when its arguments allow
// (runSidecar.ts); every other command line is commander's, loaded only then. No top-level
// await: the bundle's entry is this module as CommonJS (build/bundle.ts).
void runSidecar(process.argv)
  .then(async (code) => code ?? (await import("./program.js")).run(process.argv))
  .then((code) => {
    // A failed process ends now, with its message written: a part still stopping, or a socket
    // or timer left open, must not hold it. Log lines are flushed on exit.
    if (code !== 0) process.exit(code);
    process.exitCode = code;
  });
