// aedes, the Node MQTT broker we compare with, in its own process: one listener without
// authentication (message scenarios) and one whose clients must name an account from the map
// (the connect+subscribe scenario), both on random loopback ports announced over IPC.
//
// Environment: AEDES_ACCOUNTS (JSON AccountPattern of the accounts the auth listener knows).
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import type { AccountPattern } from './jobs.ts';

if (process.send === undefined) {
  process.stderr.write('aedes-broker.ts runs as a child of bench/mqtt/run.ts\n');
  process.exit(2);
}

const pattern = JSON.parse(process.env['AEDES_ACCOUNTS'] ?? 'null') as AccountPattern | null;
const accounts = new Map<string, string>();
for (let n = 0; n < (pattern?.accounts ?? 0); n++) {
  accounts.set(
    `${pattern!.usernamePrefix}${n}`,
    `${pattern!.passwordPrefix}${n % pattern!.passwords}`,
  );
}

let authPort = -1;
const BAD_USERNAME_OR_PASSWORD = 4;

const broker = await Aedes.createBroker({
  authenticate(client, username, password, done) {
    if ((client.conn as Socket).localPort !== authPort) return done(null, true);
    if (username !== undefined && accounts.get(username) === password?.toString()) {
      return done(null, true);
    }
    const error = new Error('bad user name or password') as AuthenticateError;
    error.returnCode = BAD_USERNAME_OR_PASSWORD;
    return done(error, false);
  },
});

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

const open = createServer((socket) => broker.handle(socket));
const auth = createServer((socket) => broker.handle(socket));
const openPort = await listen(open);
authPort = await listen(auth);
process.send({ type: 'listening', open: openPort, auth: authPort });

const stop = (): void => {
  open.close();
  auth.close();
  broker.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);
// Ctrl-C reaches the whole process group; the runner decides when we stop.
process.on('SIGINT', () => undefined);
