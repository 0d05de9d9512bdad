import { clientKeyOf } from './client-address.js';

describe('the key a client address is counted by', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:10.0.0.1', '10.0.0.1'],
  ])('is an IPv4 address itself (%s)', (address, key) => {
    expect(clientKeyOf(address)).toBe(key);
  });

  it.each([
    ['2001:db8:85a3:1:2:3:4:5', '2001:db8:85a3:1::/64'],
    ['2001:0db8:85a3:0001:ffff:ffff:ffff:ffff', '2001:db8:85a3:1::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:db8:0:0:abcd::7', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
  ])('is the /64 network of an IPv6 address (%s)', (address, key) => {
    expect(clientKeyOf(address)).toBe(key);
  });

  it('counts two addresses of one /64 together, and of two /64s apart', () => {
    expect(clientKeyOf('2001:db8:1:2::a')).toBe(clientKeyOf('2001:db8:1:2:ffff::b'));
    expect(clientKeyOf('2001:db8:1:2::a')).not.toBe(clientKeyOf('2001:db8:1:3::a'));
  });
});
