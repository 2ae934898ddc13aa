import { formatSourceAddress } from './source-address.ts';

describe('formatSourceAddress', () => {
  test.each([
    ['192.0.2.7', 51234, '192.0.2.7:51234'],
    ['::ffff:192.0.2.7', 1, '192.0.2.7:1'],
    ['2001:db8::7', 443, '[2001:db8::7]:443'],
  ])('%s port %d is %s', (address, port, expected) => {
    expect(formatSourceAddress(address, port)).toBe(expected);
  });
});
