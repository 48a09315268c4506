import type { Database, Statement } from "better-sqlite3";
import type { Synchronous } from "../guarded.js";
import type { LabelRepo, LabelTask } from "../LabelRepo.js";
import { statementCache } from "./statements.js";

/** LabelRepo on SQLite. */
export class SqliteLabelRepo implements Synchronous<LabelRepo> {
  private readonly q: (sql: string) => Statement;

  constructor(db: Database) {
    this.q = statementCache(db);
  }

  due(now: Date, limit: number, claimUntil: Date): LabelTask[] {
    return this.q(
      `UPDATE job_labels SET due_at = ? WHERE job_uid IN (
         SELECT job_uid FROM job_labels WHERE due_at <= ? ORDER BY due_at LIMIT ?)
       RETURNING job_uid AS jobUid, namespace, name, attempts`,
    ).all(claimUntil.getTime(), now.getTime(), limit) as LabelTask[];
  }

  nextDue(): Date | undefined {
    const row = this.q(`SELECT MIN(due_at) AS t FROM job_labels`).get() as { t: number | null };
    return row.t === null ? undefined : new Date(row.t);
  }

  done(jobUid: string): void {
    this.q(`DELETE FROM job_labels WHERE job_uid = ?`).run(jobUid);
  }

  retry(jobUid: string, dueAt: Date): void {
    this.q(`UPDATE job_labels SET due_at = ?, attempts = attempts + 1 WHERE job_uid = ?`).run(
      dueAt.getTime(),
      jobUid,
    );
  }
}
