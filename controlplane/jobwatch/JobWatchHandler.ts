import type { JobSummary } from "./jobSummary.js";

/**
 * What is done with Job events. Calls for one Job come one at a time, in order; calls for
 * different Jobs may overlap. A call that rejects is made again later (OwedEvents).
 */
export interface JobWatchHandler {
  /**
   * A Job was added, or its outcome changed (none yet, succeeded, failed); other changes of a
   * known Job only update the cache. Also called for every Job after each (re)list and resync.
   */
  upsert(job: JobSummary): Promise<void>;
  /** A Job is gone: a DELETED event, or absent from a relist although we knew it. */
  remove(job: JobSummary): Promise<void>;
  /**
   * After each complete (re)list, once the events before it were handled: the summaries of
   * every Job now known (the live cache; do not keep it). With several namespaces, first called
   * once every namespace has been listed.
   */
  synced(jobs: ReadonlyMap<string, JobSummary>): Promise<void>;
}
