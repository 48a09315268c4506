import { exitOnSignals } from "./exitOnSignals.js";
import { TestPostgres } from "./TestPostgres.js";

let shared: Promise<TestPostgres> | undefined;

/**
 * The PostgreSQL server all store tests share, started on first use, so a run that needs none
 * never starts one. Each test takes a database of its own (createDatabase). Stopped by the root
 * hook in test/hooks.ts.
 */
export function sharedPostgres(): Promise<TestPostgres> {
  if (!shared) {
    exitOnSignals();
    shared = TestPostgres.create();
  }
  return shared;
}

export async function stopSharedPostgres(): Promise<void> {
  if (!shared) return;
  const server = await shared.catch(() => undefined);
  shared = undefined;
  await server?.stop();
}
