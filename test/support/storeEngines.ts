export const STORE_ENGINES = ["sqlite", "postgres"] as const;
export type StoreEngine = (typeof STORE_ENGINES)[number];

/**
 * The store engines this run tests, from JOBHOOKS_TEST_STORE: `sqlite`, `postgres`, or `both`
 * (the default). A quick local run can leave PostgreSQL out with JOBHOOKS_TEST_STORE=sqlite.
 */
export function testStoreEngines(env: NodeJS.ProcessEnv = process.env): StoreEngine[] {
  const chosen = env.JOBHOOKS_TEST_STORE ?? "both";
  if (chosen === "both") return [...STORE_ENGINES];
  const engine = STORE_ENGINES.find((e) => e === chosen);
  if (engine === undefined) {
    throw new Error(
      `JOBHOOKS_TEST_STORE must be sqlite, postgres or both (the default), not ${JSON.stringify(chosen)}`,
    );
  }
  return [engine];
}
