let installed = false;

/**
 * Makes a Ctrl-C, a CI timeout or a hangup end this process through process.exit(), so its exit
 * hooks run: they kill the servers the tests started and remove their folders. Node would
 * otherwise end on these signals without them.
 */
export function exitOnSignals(): void {
  if (installed) return;
  installed = true;
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    process.once(signal, () => process.exit(code));
  }
}
