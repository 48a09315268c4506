import type { ReadinessCheck } from "./HealthServer.js";

/** Runs every check; the body lists each, one a line: what every /readyz answers. */
export async function readiness(
  checks: Record<string, ReadinessCheck>,
): Promise<{ ready: boolean; body: string }> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const result = await check().catch((err: unknown) =>
        err instanceof Error ? err.message : String(err),
      );
      return { name, result };
    }),
  );
  const lines = results.map(({ name, result }) =>
    result === true ? `[+] ${name} ok` : `[-] ${name}: ${result}`,
  );
  const ready = results.every(({ result }) => result === true);
  return { ready, body: `${lines.join("\n")}\n${ready ? "ready" : "not ready"}\n` };
}
