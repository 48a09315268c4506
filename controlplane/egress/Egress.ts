import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { Agent, buildConnector, type Dispatcher } from "undici";
import type { EgressPolicy } from "./EgressPolicy.js";

/** A connection refused by the egress policy; no packet was sent to the address. */
export class EgressDeniedError extends Error {
  override readonly name = "EgressDenied";
}

/**
 * The one HTTP connection pool deliveries go through (keep-alive, per origin), guarded at
 * connect time: a host name is resolved here and only addresses the policy allows are connected
 * to, so a DNS answer that changes after the webhook was checked (rebinding) cannot reach a
 * denied address; an IP literal, which needs no lookup, is judged before connecting.
 */
export class Egress {
  readonly dispatcher: Dispatcher;

  constructor(readonly policy: EgressPolicy) {
    this.dispatcher = new Agent({ connect: guardedConnector(policy) });
  }

  /** Closes the pool's idle connections; call after the last delivery. */
  close(): Promise<void> {
    return this.dispatcher.close();
  }
}

function guardedConnector(policy: EgressPolicy): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(policy) });
  return (options, callback) => {
    // undici hands IPv6 literals without their brackets.
    const denied = isIP(options.hostname) !== 0 ? policy.denied(options.hostname) : undefined;
    if (denied !== undefined) {
      callback(new EgressDeniedError(denied), null);
      return;
    }
    connect(options, callback);
  };
}

// Resolves as net.connect would (dns.lookup: /etc/hosts, then DNS) and hands on only the allowed
// addresses; with none left, the connection fails with EgressDeniedError before any is tried.
function guardedLookup(policy: EgressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) {
        callback(err, "");
        return;
      }
      const allowed = addresses.filter((a) => policy.denied(a.address) === undefined);
      const first = allowed[0];
      if (!first) {
        const why = policy.denied(addresses[0]?.address ?? "") ?? `${hostname} has no address`;
        callback(new EgressDeniedError(why), "");
        return;
      }
      if (options.all) callback(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}
