import { stopSharedCluster } from "./support/cluster.js";
import { stopSharedPostgres } from "./support/postgres.js";

/** Mocha root hooks: whatever the run started is stopped at its end, pass or fail. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await Promise.all([stopSharedCluster(), stopSharedPostgres()]);
  },
};
