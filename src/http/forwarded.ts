// Which peers may tell us the request's scheme. A TLS-terminating proxy (nginx) in front says `X-Forwarded-Proto:
// https`; only a proxy we trust may say so, or any client could make an app build https:// URLs or pass
// Django's CSRF origin check. As in Gunicorn's --forwarded-allow-ips: a list of addresses and networks, `*` for
// any peer; a peer on a UNIX socket is always trusted (the server decides that from its listener). Unlike
// Gunicorn, an IPv4 peer on a dual-stack listener (::ffff:a.b.c.d) matches an entry a.b.c.d, and a network's
// host bits are ignored (10.0.0.1/8 is 10.0.0.0/8).

import { BlockList, isIP } from 'node:net';

/** Gunicorn's default, also its `FORWARDED_ALLOW_IPS` fallback: the proxy on this machine. */
export const DEFAULT_FORWARDED_ALLOW_IPS: readonly string[] = ['127.0.0.1', '::1'];

interface AllowEntry {
  address: string;
  type: 'ipv4' | 'ipv6';
  /** A network's prefix length; none for a single address. */
  prefix?: number;
}

/** An address or network entry, or why it is neither. */
function parseEntry(entry: string): AllowEntry | string {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const family = isIP(address);
  if (family === 0) return `${JSON.stringify(entry)} is not an IP address or network`;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (slash === -1) return { address, type };
  const prefix = entry.slice(slash + 1);
  const bits = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits)
    return `${JSON.stringify(entry)} has a prefix length outside 0..${bits}`;
  return { address, type, prefix: Number(prefix) };
}

/** Why a --forwarded-allow-ips entry is not an address, a network or `*`; null when it is one. */
export function forwardedAllowEntryError(entry: string): string | null {
  if (entry === '*') return null;
  const parsed = parseEntry(entry);
  return typeof parsed === 'string' ? parsed : null;
}

/** A predicate: may the TCP peer at `address` set the forwarded scheme (or, for --proxy-allow-from, its address)? */
export function forwardedTrust(
  entries: readonly string[],
  flag = '--forwarded-allow-ips',
): (address: string) => boolean {
  if (entries.includes('*')) return () => true;
  const list = new BlockList();
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') throw new TypeError(`${flag}: ${parsed}`);
    if (parsed.prefix === undefined) list.addAddress(parsed.address, parsed.type);
    else list.addSubnet(parsed.address, parsed.prefix, parsed.type);
  }
  return (address) => {
    // A dual-stack listener reports an IPv4 peer as ::ffff:a.b.c.d; the entries name it as a.b.c.d.
    const mapped = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4;
    const plain = mapped ? address.slice(7) : address;
    return list.check(plain, isIP(plain) === 4 ? 'ipv4' : 'ipv6');
  };
}

/** Gunicorn's default secure_scheme_headers: from a trusted proxy, each of these headers with this value means https. */
export const DEFAULT_SECURE_SCHEME_HEADERS: Readonly<Record<string, string>> = {
  'X-FORWARDED-PROTOCOL': 'ssl',
  'X-FORWARDED-PROTO': 'https',
  'X-FORWARDED-SSL': 'on',
};

/**
 * secure_scheme_headers ready for the one pass over a request's headers: lower-case name and the value meaning https,
 * indexed by name length (an array: most header names are ruled out by one index); `names` lists them for messages.
 */
export interface SchemeHeaders {
  byLength: ReadonlyArray<ReadonlyArray<readonly [name: string, https: string]> | undefined>;
  names: string;
}

export function schemeHeaders(headers: Readonly<Record<string, string>>): SchemeHeaders {
  const byLength: Array<Array<readonly [string, string]> | undefined> = [];
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    byLength[lower.length] = [...(byLength[lower.length] ?? []), [lower, value]];
  }
  return { byLength, names: Object.keys(headers).join(', ') };
}
