export interface LabelTask {
  jobUid: string;
  namespace: string;
  name: string;
  attempts: number;
}

/** Jobs owed the webhooks-called label (queued by WatcherRepo with the change that owes it). */
export interface LabelRepo {
  due(now: Date, limit: number): Promise<LabelTask[]>;
  nextDue(): Promise<Date | undefined>;
  done(jobUid: string): Promise<void>;
  retry(jobUid: string, dueAt: Date): Promise<void>;
}
