import type { Logger } from "../../common/logger.js";
import { runGroup, type Part } from "../../common/runGroup.js";
import type { Membership } from "./Membership.js";

/**
 * Runs `parts` while this replica leads, and stops them (as at shutdown: attempts in flight
 * finish or are handed back) when it stops leading; starts them again when it leads again.
 */
export class LeaderOnly implements Part {
  readonly name: string;

  constructor(
    private readonly parts: Part[],
    private readonly membership: Membership,
    private readonly log: Logger,
  ) {
    this.name = `leader-only(${parts.map((p) => p.name).join(", ")})`;
  }

  async run(signal: AbortSignal): Promise<void> {
    const stopped = (): boolean => signal.aborted;
    while (!stopped()) {
      await this.membership.until(true, signal);
      if (stopped()) return;
      const term = new AbortController();
      const end = (): void => term.abort();
      signal.addEventListener("abort", end, { once: true });
      void this.membership.until(false, term.signal).then(end);
      try {
        await runGroup(this.parts, term.signal, this.log);
      } finally {
        signal.removeEventListener("abort", end);
        term.abort();
      }
    }
  }
}
