import type { JobSummary } from "../jobwatch/jobSummary.js";

/** What the engine needs to know of the cluster's Jobs (JobWatch's cache). */
export interface JobLookup {
  /**
   * Whether findByName answers: this replica watches Jobs and has listed them. A watcher made
   * while it does not asks the replica that watches Jobs to bind it (RequestedBindings).
   */
  readonly answering: boolean;
  /** The Job of this name in the cache; undefined when not there, or not `answering`. */
  findByName(namespace: string, name: string): JobSummary | undefined;
  /** The Job of this name as the apiserver has it now, whatever the cache says (JobWatch.find). */
  find(namespace: string, name: string): Promise<JobSummary | undefined>;
}
