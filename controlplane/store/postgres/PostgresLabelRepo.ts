import type { LabelRepo, LabelTask } from "../LabelRepo.js";
import type { Database } from "./Database.js";

/** LabelRepo on PostgreSQL. */
export class PostgresLabelRepo implements LabelRepo {
  constructor(private readonly db: Database) {}

  /** Jobs another replica is handing out at this moment are skipped, not waited for. */
  due(now: Date, limit: number, claimUntil: Date): Promise<LabelTask[]> {
    return this.db.rows<LabelTask>(
      `WITH picked AS (
         SELECT job_uid, due_at FROM job_labels WHERE due_at <= $2
         ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED),
       claimed AS (
         UPDATE job_labels l SET due_at = $1 FROM picked WHERE l.job_uid = picked.job_uid
         RETURNING l.job_uid, l.namespace, l.name, l.attempts, picked.due_at AS was_due)
       SELECT job_uid AS "jobUid", namespace, name, attempts FROM claimed
       ORDER BY was_due, job_uid`,
      [claimUntil.getTime(), now.getTime(), limit],
    );
  }

  async nextDue(): Promise<Date | undefined> {
    const [row] = await this.db.rows<{ t: number | null }>(
      `SELECT MIN(due_at) AS t FROM job_labels`,
    );
    const t = row?.t ?? null;
    return t === null ? undefined : new Date(t);
  }

  async done(jobUid: string): Promise<void> {
    await this.db.run(`DELETE FROM job_labels WHERE job_uid = $1`, [jobUid]);
  }

  async retry(jobUid: string, dueAt: Date): Promise<void> {
    await this.db.run(
      `UPDATE job_labels SET due_at = $1, attempts = attempts + 1 WHERE job_uid = $2`,
      [dueAt.getTime(), jobUid],
    );
  }
}
