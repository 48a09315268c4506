#!/usr/bin/env -S node --max-semi-space-size=4
import { run } from "./program.js";

const code = await run(process.argv);
// A failed process ends now, with its message written: a part still stopping, or a socket or
// timer left open, must not hold it. Log lines are flushed on exit.
if (code !== 0) process.exit(code);
process.exitCode = code;
