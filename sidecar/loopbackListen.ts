import { BlockList, isIPv4, isIPv6 } from "node:net";
import {
  formatListenAddress,
  ListenAddressError,
  parseListenAddress,
  type ListenAddress,
} from "../common/listenAddress.js";

// The kernel's loopback ranges; BlockList also matches ::1 written out and IPv4-mapped 127.x.
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/**
 * Whether `host` is a loopback IP address. Names such as `localhost` are not accepted: what they
 * resolve to is up to the host's resolver, and the sidecar must never be reachable from outside
 * its pod.
 */
export function isLoopback(host: string | undefined): boolean {
  if (host === undefined) return false;
  if (isIPv4(host)) return LOOPBACK.check(host, "ipv4");
  return isIPv6(host) && LOOPBACK.check(host, "ipv6");
}

/**
 * The sidecar's --listen: comma-separated HOST:PORT, every one on loopback. The sidecar holds
 * the pod's identity towards the controlplane, so anything that could reach it from another
 * pod could count or register in this pod's name.
 */
export function parseLoopbackListen(value: string): ListenAddress[] {
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (items.length === 0) {
    throw new ListenAddressError(`invalid --listen "${value}": expected HOST:PORT[,HOST:PORT...]`);
  }
  const addresses = items.map(parseListenAddress);
  const outside = addresses.filter((a) => !isLoopback(a.host));
  if (outside.length > 0) {
    throw new ListenAddressError(
      `the sidecar listens on loopback only (127.0.0.1, [::1]), not on ${outside.map(formatListenAddress).join(", ")}: it acts in its pod's name, so nothing outside the pod may reach it`,
    );
  }
  return addresses;
}
