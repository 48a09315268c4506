// What loads undici: Egress imports this module when the first delivery or its warm() needs it.
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { Agent, buildConnector, fetch, Headers, Request, type Dispatcher } from "undici";
import { EgressDeniedError } from "./EgressDeniedError.js";
import type { EgressPolicy } from "./EgressPolicy.js";

/** What a delivery sends with: undici's fetch and its classes, and the guarded pool. */
export interface EgressHttp {
  fetch: typeof fetch;
  Headers: typeof Headers;
  Request: typeof Request;
  dispatcher: Dispatcher;
}

/** undici's fetch over a pool whose every connection `policy` allows (see Egress). */
export function egressHttp(policy: EgressPolicy): EgressHttp {
  return { fetch, Headers, Request, dispatcher: new Agent({ connect: guardedConnector(policy) }) };
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
