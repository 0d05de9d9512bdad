import { clientKeyOf } from './client-address.js';

describe('the key a client address is counted by', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['203.0.113.7:40001', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:10.0.0.1', '10.0.0.1'],
    ['::ffff:c633:6401', '198.51.100.1'],
    ['0:0:0:0:0:ffff:198.51.100.2', '198.51.100.2'],
    ['[::ffff:198.51.100.3]:443', '198.51.100.3'],
  ])('is an IPv4 address itself, in whatever form it came (%s)', (address, key) => {
    expect(clientKeyOf(address)).toBe(key);
  });

  it.each([
    ['64:ff9b::192.0.2.33', '192.0.2.33'],
    ['64:ff9b::c000:222', '192.0.2.34'],
  ])('is the IPv4 address a NAT64 one carries (%s)', (address, key) => {
    expect(clientKeyOf(address)).toBe(key);
  });

  it.each([
    ['2001:db8:85a3:1:2:3:4:5', '2001:db8:85a3:1::/64'],
    ['2001:0db8:85a3:0001:ffff:ffff:ffff:ffff', '2001:db8:85a3:1::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:db8:0:0:abcd::7', '2001:db8:0:0::/64'],
    ['[2001:db8:1:2::9]:443', '2001:db8:1:2::/64'],
    ['[2001:db8:1:3::9]', '2001:db8:1:3::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('is the /64 network of an IPv6 address (%s)', (address, key) => {
    expect(clientKeyOf(address)).toBe(key);
  });

  it('counts two addresses of one /64 together, and of two /64s apart', () => {
    expect(clientKeyOf('2001:db8:1:2::a')).toBe(clientKeyOf('2001:db8:1:2:ffff::b'));
    expect(clientKeyOf('2001:db8:1:2::a')).not.toBe(clientKeyOf('2001:db8:1:3::a'));
  });

  it('counts link-local neighbours apart: they share the /64 fe80::', () => {
    expect(clientKeyOf('fe80::1%eth0')).not.toBe(clientKeyOf('fe80::2%eth0'));
  });

  it.each([['not-an-address'], ['198.51.100.9:port'], ['fe80::1%eth0.100'], [''], [undefined]])(
    'counts %s, which is no address, with everything else that is none',
    (address) => {
      expect(clientKeyOf(address)).toBe('unparsed');
    },
  );
});
