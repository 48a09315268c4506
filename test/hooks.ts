import { stopSharedCluster } from "./support/cluster.js";

/** Mocha root hooks: whatever the run started is stopped at its end, pass or fail. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopSharedCluster();
  },
};
