import type { SidecarApi } from "../client/sidecarApi.js";
import type { CallOptions } from "../contract/JobhooksApi.js";
import type { TokenFile } from "./TokenFile.js";

/** The controlplane as the sidecar calls it: every call carries the pod's current token. */
export class ControlplaneLink {
  constructor(
    /** HOST:PORT, as given with --controlplane; named in errors. */
    readonly address: string,
    readonly api: SidecarApi,
    readonly token: TokenFile,
  ) {}

  /**
   * Options for one call. `retry` only for calls that are safe to repeat: a retried increment
   * carries its requestId and a retried create its Idempotency-Key, so neither is applied twice.
   */
  async callOptions(retry: boolean): Promise<CallOptions> {
    const token = await this.token.read();
    return { authorization: `Bearer ${token}`, ...(retry && { retry: true }) };
  }
}
