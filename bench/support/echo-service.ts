// The baseline the benchmarks divide by: a micro service that decodes a request with the real
// codecs and answers a fixed "allow" at once. It runs as its own process, through the same
// nats-kit `serve`, so that "service rate / echo rate" isolates the work the service does.
//
// Environment: NATS_URL, ECHO_KIND (auth | acl), HEALTH_PORT (0 picks one).
import { mesh } from '@octomesh/contracts';
import { connectNats, serve, type EndpointDefinition } from '@octomesh/nats-kit';
import {
  announceHealthPort,
  createLogger,
  env,
  onShutdown,
  readConfig,
  startHealthServer,
} from '@octomesh/service-kit';
import { SERVICE_LOG_LEVELS } from './options.ts';
import { aclCodecs, authCodecs, EchoKinds, EchoSubjects, type EchoKind } from './clients.ts';

const config = (() => {
  try {
    return readConfig({
      NATS_URL: env.natsUrls('NATS server URLs', 'nats://127.0.0.1:4222'),
      ECHO_KIND: env.oneOf<EchoKind>('which endpoint to imitate', Object.values(EchoKinds), 'auth'),
      HEALTH_PORT: env.int('port of the health listener', 0, 0, 65535),
      LOG_LEVEL: env.oneOf('pino log level', SERVICE_LOG_LEVELS, 'warn'),
    });
  } catch (error) {
    process.stderr.write(`echo: ${(error as Error).message}\n`);
    process.exit(2);
  }
})();

// Shaped like a real allow, so the reply is about as large as the service's.
const authReply: mesh.auth.v1.AuthenticateReply = mesh.auth.v1.AuthenticateReply.create({
  allow: true,
  reason: 'password accepted',
  identity: {
    subject: 'user:bench-echo',
    username: 'bench-echo',
    role: 'device',
    endpointId: 'os::BENCH-ECHO',
    clientId: 'bench-echo',
  },
});

const authEcho: EndpointDefinition<
  mesh.auth.v1.IAuthenticateRequest,
  mesh.auth.v1.AuthenticateReply
> = {
  name: 'authenticate',
  subject: EchoSubjects.auth,
  request: authCodecs.request,
  reply: authCodecs.reply,
  handle: () => Promise.resolve(authReply),
};

// One allow verdict per check: a fixed answer that still matches the batch size.
const aclEcho: EndpointDefinition<mesh.acl.v1.IAuthorizeRequest, mesh.acl.v1.AuthorizeReply> = {
  name: 'authorize',
  subject: EchoSubjects.acl,
  request: aclCodecs.request,
  reply: aclCodecs.reply,
  handle: (request) =>
    Promise.resolve(
      mesh.acl.v1.AuthorizeReply.create({
        verdicts: (request.checks ?? []).map(() => ({ allow: true, reasonCode: 0 })),
        cacheTtlMs: 300_000,
        rulesRevision: 0,
      }),
    ),
};

const logger = createLogger(`echo-${config.ECHO_KIND}`, config.LOG_LEVEL);
const nc = await connectNats({
  servers: config.NATS_URL,
  name: `bench-echo-${config.ECHO_KIND}`,
  logger,
});
const service = await serve(
  nc,
  {
    name: `bench-echo-${config.ECHO_KIND}`,
    version: '0.1.0',
    description: 'benchmark baseline: answers a fixed allow',
    queue: `bench-echo-${config.ECHO_KIND}`,
    // The services' default limit, so neither side refuses work the other would take.
    maxInFlight: 5000,
    endpoints: [config.ECHO_KIND === EchoKinds.auth ? authEcho : aclEcho],
  },
  logger,
);
const health = await startHealthServer('127.0.0.1', config.HEALTH_PORT, {
  ready: () => service.isServing() && !nc.isClosed(),
});
announceHealthPort(health.port);
onShutdown(logger, [
  { name: 'stop serving', run: () => service.stop() },
  { name: 'drain nats', run: () => nc.drain() },
  { name: 'close health', run: () => health.close() },
]);
