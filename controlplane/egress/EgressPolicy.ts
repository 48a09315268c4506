import { BlockList, isIP } from "node:net";

/**
 * Where deliveries may not go unless allowed: link-local (169.254.0.0/16, fe80::/10, where cloud
 * metadata services answer) and the controlplane's own host (loopback, and 0.0.0.0 / ::, which
 * Linux connects to loopback).
 */
export const DEFAULT_DENY = [
  "169.254.0.0/16",
  "fe80::/10",
  "127.0.0.0/8",
  "::1/128",
  "0.0.0.0/8",
  "::/128",
] as const;

/** A CIDR (or a bare address) that cannot be read; the message says which and why. */
export class CidrError extends Error {}

type Family = "ipv4" | "ipv6";

// One BlockList per family: BlockList alone would match an IPv4 address against an IPv6 range
// such as ::/0, and a range should mean only the family it is written in.
type Lists = Record<Family, BlockList>;

/**
 * Which addresses deliveries may connect to: every address but those in `deny`, except those in
 * `allow` (allow wins). Pure; the connect-time guard (Egress) and webhook validation ask it.
 */
export class EgressPolicy {
  private readonly deny: Lists;
  private readonly allow: Lists;

  /** Throws CidrError for an entry that is not a CIDR such as 10.0.0.0/8 or fd00::/8. */
  constructor(deny: readonly string[], allow: readonly string[]) {
    this.deny = blockLists(deny);
    this.allow = blockLists(allow);
  }

  /**
   * Why a connection to `address` (an IP address, as resolved or as written in a URL) is
   * refused, or undefined when it is not. An IPv4-mapped IPv6 address (::ffff:169.254.169.254)
   * is judged as its IPv4 address. Anything that is not an IP address is undefined.
   */
  denied(address: string): string | undefined {
    const ip = canonical(address);
    if (!ip) return undefined;
    if (this.allow[ip.family].check(ip.address, ip.family)) return undefined;
    return this.deny[ip.family].check(ip.address, ip.family)
      ? `${ip.address} is in --deny-destinations`
      : undefined;
  }

  /**
   * Why deliveries to `url` can never be made, judged without DNS: its host is an IP address
   * that is denied. Host names are judged at each connection instead (their addresses change).
   */
  urlProblem(url: string): string | undefined {
    if (!URL.canParse(url)) return undefined;
    const problem = this.denied(new URL(url).hostname);
    return problem && `${problem}: deliveries may not go there`;
  }
}

function blockLists(cidrs: readonly string[]): Lists {
  const lists: Lists = { ipv4: new BlockList(), ipv6: new BlockList() };
  for (const cidr of cidrs) {
    const { address, family, prefix } = parseCidr(cidr);
    lists[family].addSubnet(address, prefix, family);
  }
  return lists;
}

/** "10.0.0.0/8", "fd00::/8", or a bare address (a /32 or /128). */
export function parseCidr(cidr: string): { address: string; family: Family; prefix: number } {
  const [address = "", bits, ...rest] = cidr.trim().split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) {
    throw new CidrError(`"${cidr}" is not a CIDR such as 10.0.0.0/8 or fd00::/8`);
  }
  const max = version === 4 ? 32 : 128;
  return { address, family: version === 4 ? "ipv4" : "ipv6", prefix: prefixOf(cidr, bits, max) };
}

function prefixOf(cidr: string, bits: string | undefined, max: number): number {
  if (bits === undefined) return max;
  const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) {
    throw new CidrError(`"${cidr}": the prefix length must be a whole number from 0 to ${max}`);
  }
  return prefix;
}

const MAPPED = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

// The address in one spelling: brackets and a zone (fe80::1%eth0) dropped, IPv6 compressed as
// URLs write it, and an IPv4-mapped IPv6 address as its IPv4 address.
function canonical(address: string): { address: string; family: Family } | undefined {
  const bare = address.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  const version = isIP(bare);
  if (version === 4) return { address: bare, family: "ipv4" };
  if (version !== 6) return undefined;
  const v6 = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  const mapped = MAPPED.exec(v6);
  if (!mapped) return { address: v6, family: "ipv6" };
  const [hi, lo] = [parseInt(mapped[1] ?? "0", 16), parseInt(mapped[2] ?? "0", 16)];
  return { address: [hi >> 8, hi & 255, lo >> 8, lo & 255].join("."), family: "ipv4" };
}
