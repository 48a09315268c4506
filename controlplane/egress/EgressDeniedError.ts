/** A connection refused by the egress policy; no packet was sent to the address. */
export class EgressDeniedError extends Error {
  override readonly name = "EgressDenied";
}
