import { BlockList, createServer, connect, type Socket } from 'node:net';
import { cidrProblem, isTrustedPeer, parseCidrList, trustedPeerList } from './trusted-proxies.ts';

describe('cidrProblem', () => {
  test.each([
    '10.0.0.0/8',
    '192.0.2.7/32',
    '0.0.0.0/0',
    '2001:db8::/32',
    '::1/128',
    '::/0',
    '::ffff:10.0.0.0/104',
    'fd00:0:0:0:0:0:0:0/8',
  ])('%s is a CIDR', (cidr) => {
    expect(cidrProblem(cidr)).toBeUndefined();
  });

  test.each([
    ['10.0.0.1', 'must be address/prefix-length'],
    ['10.0.0.0/', 'must be address/prefix-length'],
    ['10.0.0.0/08', 'must be address/prefix-length'],
    ['10.0.0.0/8/8', 'must be address/prefix-length'],
    [' 10.0.0.0/8', 'must be address/prefix-length'],
    ['10.0.0.0/33', 'prefix length 33 is more than 32'],
    ['2001:db8::/129', 'prefix length 129 is more than 128'],
    ['010.0.0.0/8', 'is not an IPv4 or IPv6 address'],
    ['256.0.0.0/8', 'is not an IPv4 or IPv6 address'],
    ['example.com/24', 'is not an IPv4 or IPv6 address'],
    ['fe80::%eth0/64', 'is not an IPv4 or IPv6 address'],
    ['10.1.2.3/8', 'has bits set past /8'],
    ['2001:db8::1/64', 'has bits set past /64'],
    ['::ffff:10.0.0.1/104', 'has bits set past /104'],
  ])('%s is refused: %s', (cidr, problem) => {
    expect(cidrProblem(cidr)).toContain(problem);
  });
});

describe('parseCidrList', () => {
  test('a comma-separated list is trimmed and blanks are ignored', () => {
    expect(parseCidrList(' 10.0.0.0/8, ,2001:db8::/32 ')).toEqual(['10.0.0.0/8', '2001:db8::/32']);
  });

  test('every bad entry is named in one error', () => {
    expect(() => parseCidrList('10.0.0.0/8,10.0.0.1/8,x/1')).toThrow(
      '"10.0.0.1/8": 10.0.0.1 has bits set past /8 (a network address was meant); "x/1": x is not an IPv4 or IPv6 address',
    );
  });

  test('a list with no entry is refused', () => {
    expect(() => parseCidrList(' , ')).toThrow('no CIDR given');
  });
});

describe('isTrustedPeer', () => {
  // Real loopback sockets: the peer address is what the kernel reports.
  async function peerOf(bind: string, localAddress: string): Promise<Socket> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, bind, resolve));
    const port = (server.address() as { port: number }).port;
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const host = localAddress.includes(':') ? '::1' : '127.0.0.1';
    const client = connect({ port, host, localAddress });
    client.on('error', () => undefined);
    const socket = await accepted;
    client.destroy();
    server.close();
    return socket;
  }

  test('matches the kernel peer address, IPv4 and IPv6', async () => {
    const list = trustedPeerList(['127.0.0.2/32', '::1/128']);
    const [v4Trusted, v4Other, v6] = await Promise.all([
      peerOf('127.0.0.1', '127.0.0.2'),
      peerOf('127.0.0.1', '127.0.0.1'),
      peerOf('::1', '::1'),
    ]);
    expect(isTrustedPeer(list, v4Trusted)).toBe(true);
    expect(isTrustedPeer(list, v4Other)).toBe(false);
    expect(isTrustedPeer(list, v6)).toBe(true);
    for (const socket of [v4Trusted, v4Other, v6]) socket.destroy();
  });

  test('an IPv4-mapped peer of a dual-stack listener matches an IPv4 CIDR', async () => {
    const socket = await peerOf('::', '127.0.0.1');
    expect(socket.remoteAddress).toBe('::ffff:127.0.0.1');
    expect(isTrustedPeer(trustedPeerList(['127.0.0.0/8']), socket)).toBe(true);
    expect(isTrustedPeer(new BlockList(), socket)).toBe(false);
    socket.destroy();
  });
});
