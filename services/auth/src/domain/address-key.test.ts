import { addressKey } from './address-key.ts';

describe('addressKey', () => {
  test.each([
    ['192.0.2.7', 'addr:192.0.2.7'],
    ['192.0.2.7:51234', 'addr:192.0.2.7'],
    ['::ffff:192.0.2.7', 'addr:192.0.2.7'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', 'addr:2001:db8:1:2::/64'],
    ['[2001:db8:1:2::1]:8883', 'addr:2001:db8:1:2::/64'],
    ['2001:db8:1:2::99', 'addr:2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::1', 'addr:2001:db8:1:2::/64'],
    ['', undefined],
  ])('keys %j as %j', (source, key) => {
    expect(addressKey(source)).toBe(key);
  });

  test('every address of one /64 shares a key, so rotating addresses does not reset limits', () => {
    const keys = new Set(
      ['2001:db8:0:1::1', '2001:db8:0:1::2', '2001:db8:0:1:ffff::'].map(addressKey),
    );
    expect(keys.size).toBe(1);
  });
});
