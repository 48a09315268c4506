import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import type { buildConnector, Dispatcher } from "undici";
import type { EgressPolicy } from "./EgressPolicy.js";

/** A connection refused by the egress policy; no packet was sent to the address. */
export class EgressDeniedError extends Error {
  override readonly name = "EgressDenied";
}

type Undici = typeof import("undici");

/** What a delivery sends with: undici's fetch and its classes, and the guarded pool. */
export interface EgressHttp {
  fetch: Undici["fetch"];
  Headers: Undici["Headers"];
  Request: Undici["Request"];
  dispatcher: Dispatcher;
}

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

  constructor(readonly policy: EgressPolicy) {}

  /** undici and the pool, loaded once. */
  http(): Promise<EgressHttp> {
    this.loaded ??= import("undici").then((undici) => ({
      fetch: undici.fetch,
      Headers: undici.Headers,
      Request: undici.Request,
      dispatcher: new undici.Agent({ connect: guardedConnector(undici, this.policy) }),
    }));
    return this.loaded;
  }

  /** Loads undici ahead of the first delivery, so that one is not slower. */
  warm(): void {
    this.http().catch(() => {
      // The first delivery loads it again and reports what fails.
      this.loaded = undefined;
    });
  }

  /** Closes the pool's idle connections; call after the last delivery. */
  async close(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = undefined;
    if (loaded) await (await loaded).dispatcher.close();
  }
}

function guardedConnector(undici: Undici, policy: EgressPolicy): buildConnector.connector {
  const connect = undici.buildConnector({ lookup: guardedLookup(policy) });
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
