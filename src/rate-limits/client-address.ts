import { isIPv6 } from 'node:net';

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const NETWORK_GROUPS = 4;

/** The eight 16-bit groups of an IPv6 address, `::` filled in (an embedded IPv4 tail counts as two). */
const groupsOf = (address: string): string[] => {
  const [head, tail] = address.split('::');
  const part = (text: string | undefined): string[] => {
    if (!text) return [];
    return text.split(':').flatMap((group) => {
      if (!group.includes('.')) return [group];
      const [a, b, c, d] = group.split('.').map(Number);
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  };
  const front = part(head);
  const back = part(tail);
  const zeros = tail === undefined ? [] : Array<string>(8 - front.length - back.length).fill('0');
  return [...front, ...zeros, ...back];
};

/**
 * What a client's requests are counted by: an IPv4 address as it is (an IPv4-mapped IPv6 one
 * included), an IPv6 address by its /64 network. One IPv6 host is given a whole /64 and can
 * speak from any address in it: counted per address, it would have billions of limits.
 */
export const clientKeyOf = (address: string): string => {
  const mapped = IPV4_MAPPED.exec(address);
  if (mapped) return mapped[1];
  if (!isIPv6(address)) return address;
  const network = groupsOf(address.split('%')[0]).slice(0, NETWORK_GROUPS);
  return `${network.map((group) => parseInt(group, 16).toString(16)).join(':')}::/64`;
};
