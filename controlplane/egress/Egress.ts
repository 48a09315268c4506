import type { EgressHttp } from "./egressHttp.js";
import type { EgressPolicy } from "./EgressPolicy.js";

// How long warm() waits before loading undici.
const WARM_AFTER_MS = 1000;

export { EgressDeniedError } from "./EgressDeniedError.js";
export type { EgressHttp } from "./egressHttp.js";

/**
 * The one HTTP connection pool deliveries go through (keep-alive, per origin), guarded at
 * connect time: a host name is resolved here and only addresses the policy allows are connected
 * to, so a DNS answer that changes after the webhook was checked (rebinding) cannot reach a
 * denied address; an IP literal, which needs no lookup, is judged before connecting.
 *
 * undici (about 100 ms of CPU to load) is loaded by the first delivery or by warm(), which the
 * controlplane calls once it serves, not while the process starts.
 */
export class Egress {
  private loaded: Promise<EgressHttp> | undefined;
  private warming: NodeJS.Timeout | undefined;

  constructor(readonly policy: EgressPolicy) {}

  /** undici and the pool, loaded once. */
  http(): Promise<EgressHttp> {
    this.loaded ??= import("./egressHttp.js").then((m) => m.egressHttp(this.policy));
    return this.loaded;
  }

  /**
   * Loads undici ahead of the first delivery, so that one is not slower: a second from now, once
   * the start-up's own work (the first answers, the Job list) is done. A delivery before then
   * loads it itself.
   */
  warm(): void {
    clearTimeout(this.warming);
    this.warming = setTimeout(() => {
      this.http().catch(() => {
        // The first delivery loads it again and reports what fails.
        this.loaded = undefined;
      });
    }, WARM_AFTER_MS).unref();
  }

  /** Closes the pool's idle connections; call after the last delivery. */
  async close(): Promise<void> {
    // Not loaded after the close: a pool nobody would close.
    clearTimeout(this.warming);
    const loaded = this.loaded;
    this.loaded = undefined;
    if (loaded) await (await loaded).dispatcher.close();
  }
}
