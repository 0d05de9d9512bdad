import ipaddr from 'ipaddr.js';

/** Forms a proxy may forward an address in besides the bare one: `a.b.c.d:port`, `[v6]`, `[v6]:port`. */
const IPV4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/;
const BRACKETED = /^\[([^\]]+)\](?::\d+)?$/;
/** One count for everything that is not an address: no header value can open counts of its own. */
const UNPARSED = 'unparsed';
/** IPv6 ranges whose last 32 bits are an IPv4 client's address (NAT64 and SIIT translators). */
const TRANSLATED = new Set(['rfc6052', 'rfc6145']);
const NETWORK_GROUPS = 4;

const bareAddressOf = (forwarded: string): string => IPV4_WITH_PORT.exec(forwarded)?.[1] ?? BRACKETED.exec(forwarded)?.[1] ?? forwarded;

/**
 * What a client's requests are counted by. An IPv4 address as it is, in whatever form it came
 * (IPv4-mapped IPv6, with a port); one translated to IPv6 by NAT64, as the IPv4 address it
 * carries; an IPv6 address by its /64 network: one IPv6 host is given a whole /64 and can speak
 * from any address in it, so counted per address it would have billions of limits. A
 * link-local one, which only a neighbour can have, as itself.
 */
export const clientKeyOf = (address: string | undefined): string => {
  const bare = bareAddressOf(address ?? '');
  if (!ipaddr.isValid(bare)) return UNPARSED;
  const parsed = ipaddr.process(bare);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const v6 = parsed as ipaddr.IPv6;
  const range = v6.range();
  if (TRANSLATED.has(range)) return ipaddr.fromByteArray(v6.toByteArray().slice(12)).toString();
  if (range === 'linkLocal') return v6.toNormalizedString();
  return `${v6.parts.slice(0, NETWORK_GROUPS).map((group) => group.toString(16)).join(':')}::/64`;
};
