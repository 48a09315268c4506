export interface LabelTask {
  jobUid: string;
  namespace: string;
  name: string;
  attempts: number;
}

/** Jobs owed the webhooks-called label (queued by WatcherRepo with the change that owes it). */
export interface LabelRepo {
  /**
   * Up to `limit` Jobs due by `now`, oldest first; each is due again at `claimUntil` unless
   * done() or retry() says otherwise first, so no other replica labels it meanwhile and a
   * replica that dies leaves it to the others.
   */
  due(now: Date, limit: number, claimUntil: Date): Promise<LabelTask[]>;
  nextDue(): Promise<Date | undefined>;
  done(jobUid: string): Promise<void>;
  retry(jobUid: string, dueAt: Date): Promise<void>;
}
