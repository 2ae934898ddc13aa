// The NATS kit against a real nats-server: micro services, queue groups, deadlines, bad bodies.
import {
  mesh,
  RemoteServiceError,
  ServiceUnavailableError,
  BadReplyError,
} from '@octomesh/contracts';
import {
  openBucket,
  watchBucket,
  call,
  connectNats,
  discoverServices,
  protoCodec,
  serve,
  type EndpointDefinition,
  type NatsConnection,
  type RunningService,
} from '@octomesh/nats-kit';
import { createLogger } from '@octomesh/service-kit';
import { startNatsServer, waitFor, type TestNatsServer } from '@octomesh/testing';

const logger = createLogger('test', 'silent');
type Req = mesh.acl.v1.IAuthorizeRequest;
type Res = mesh.acl.v1.IAuthorizeReply;
const requestCodec = protoCodec<Req>(mesh.acl.v1.AuthorizeRequest, 'AuthorizeRequest', (r) =>
  (r.checks ?? []).length === 0 ? 'no checks' : undefined,
);
const replyCodec = protoCodec<Res>(mesh.acl.v1.AuthorizeReply, 'AuthorizeReply');
const subject = 'test.kit.echo';

function echoEndpoint(tag: string, seen: string[]): EndpointDefinition<Req, Res> {
  return {
    name: 'echo',
    subject,
    request: requestCodec,
    reply: replyCodec,
    async handle(request, ctx) {
      seen.push(tag);
      await Promise.resolve();
      if (request.checks?.[0]?.topic === 'explode') throw new Error('async failure');
      if (request.checks?.[0]?.topic === 'slow')
        await new Promise((resolve) => setTimeout(resolve, 300));
      if (request.checks?.[0]?.topic === 'deadline')
        return { verdicts: [{ ruleId: String(ctx.deadline) }] };
      return {
        verdicts: (request.checks ?? []).map((c) => ({ allow: true, reason: `${tag}:${c.topic}` })),
        cacheTtlMs: 5,
      };
    },
  };
}

describe('nats kit', () => {
  let server: TestNatsServer;
  let nc: NatsConnection;
  const running: RunningService[] = [];

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectNats({ servers: server.url, name: 'kit-test', logger });
  });
  afterAll(async () => {
    for (const service of running) await service.stop();
    await nc.close();
    await server.stop();
  });

  test('a caller gets a typed unavailable error within its deadline when no service runs', async () => {
    const started = Date.now();
    const error = await call(
      nc,
      'test.kit.nobody',
      { checks: [{ topic: 'a' }] },
      {
        timeoutMs: 2000,
        request: requestCodec,
        reply: replyCodec,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).kind).toBe('no-responders');
    expect((error as ServiceUnavailableError).reasonCode).toBe(0x88);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a request nobody answers in time becomes a timeout unavailable error', async () => {
    const sub = nc.subscribe('test.kit.silent', { callback: () => undefined });
    const error = await call(
      nc,
      'test.kit.silent',
      { checks: [{ topic: 'a' }] },
      {
        timeoutMs: 200,
        request: requestCodec,
        reply: replyCodec,
      },
    ).catch((e: unknown) => e);
    sub.unsubscribe();
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).kind).toBe('timeout');
  });

  test('a call without a positive deadline is refused before anything is sent', async () => {
    await expect(
      call(nc, subject, { checks: [] }, { timeoutMs: 0, request: requestCodec, reply: replyCodec }),
    ).rejects.toThrow(RangeError);
  });

  test('two replicas share requests through the queue group and both are discoverable', async () => {
    const seen: string[] = [];
    for (const tag of ['one', 'two']) {
      running.push(
        await serve(
          nc,
          {
            name: 'kit-echo',
            version: '1.0.0',
            description: 'echo',
            queue: 'kit-echo',
            endpoints: [echoEndpoint(tag, seen)],
          },
          logger,
        ),
      );
    }
    for (let i = 0; i < 200; i++) {
      const reply = await call(
        nc,
        subject,
        { checks: [{ topic: `t${i}` }] },
        {
          timeoutMs: 2000,
          request: requestCodec,
          reply: replyCodec,
        },
      );
      expect(reply.verdicts?.[0]?.reason).toMatch(new RegExp(`^(one|two):t${i}$`));
    }
    expect(seen.filter((t) => t === 'one').length).toBeGreaterThan(20);
    expect(seen.filter((t) => t === 'two').length).toBeGreaterThan(20);
    const instances = await discoverServices(nc, 'kit-echo');
    expect(instances).toHaveLength(2);
    expect(instances.reduce((sum, i) => sum + i.requests, 0)).toBe(200);
  });

  test('a malformed body gets a 400 error reply and the service keeps serving', async () => {
    const answer = await nc.request(subject, new Uint8Array([0xff, 0xff, 0xff]), { timeout: 2000 });
    expect(answer.headers?.get('Nats-Service-Error-Code')).toBe('400');
    const invalid = await call(
      nc,
      subject,
      { checks: [] },
      { timeoutMs: 2000, request: requestCodec, reply: replyCodec },
    ).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(RemoteServiceError);
    expect((invalid as RemoteServiceError).remoteCode).toBe(400);
    const ok = await call(
      nc,
      subject,
      { checks: [{ topic: 'after' }] },
      { timeoutMs: 2000, request: requestCodec, reply: replyCodec },
    );
    expect(ok.verdicts).toHaveLength(1);
  });

  test('an async handler failure is answered with a 500 error and counted', async () => {
    const error = await call(
      nc,
      subject,
      { checks: [{ topic: 'explode' }] },
      {
        timeoutMs: 2000,
        request: requestCodec,
        reply: replyCodec,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RemoteServiceError);
    expect((error as RemoteServiceError).remoteCode).toBe(500);
    const errors = running.reduce((sum, s) => sum + s.counters('echo').errors, 0);
    expect(errors).toBeGreaterThanOrEqual(3);
    const discovered = await discoverServices(nc, 'kit-echo');
    expect(discovered.reduce((sum, i) => sum + i.errors, 0)).toBe(errors);
  });

  test("the caller's time budget reaches the handler as a local deadline", async () => {
    const before = Date.now();
    const reply = await call(
      nc,
      subject,
      { checks: [{ topic: 'deadline' }] },
      {
        timeoutMs: 1500,
        request: requestCodec,
        reply: replyCodec,
      },
    );
    const deadline = Number(reply.verdicts?.[0]?.ruleId);
    expect(deadline).toBeGreaterThan(before);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 1500);
  });

  test('stopping a service still answers the requests it already took', async () => {
    const seen: string[] = [];
    // Its own connection, drained right after stop() as a service's shutdown does.
    const serviceNc = await connectNats({ servers: server.url, name: 'kit-slow', logger });
    const slow = await serve(
      serviceNc,
      {
        name: 'kit-slow',
        version: '1.0.0',
        description: 'slow',
        queue: 'kit-slow',
        endpoints: [{ ...echoEndpoint('slow', seen), subject: 'test.kit.slow' }],
      },
      logger,
    );
    const pending = call(
      nc,
      'test.kit.slow',
      { checks: [{ topic: 'slow' }] },
      { timeoutMs: 3000, request: requestCodec, reply: replyCodec },
    );
    await waitFor('request taken', () => (seen.length > 0 ? true : undefined));
    await slow.stop();
    await serviceNc.drain();
    expect((await pending).verdicts?.[0]?.reason).toBe('slow:slow');
  });

  test('a bucket made with other settings is brought to the spec by whoever opens it', async () => {
    const loose = await openBucket(nc, { name: 'kit-bucket', history: 5, description: 'old' });
    expect((await loose.status()).history).toBe(5);
    const strict = await openBucket(nc, { name: 'kit-bucket', history: 1, description: 'new' });
    expect((await strict.status()).history).toBe(1);
    await strict.put('k', 'one');
    await strict.put('k', 'two');
    const history = [];
    for await (const entry of await strict.history({ key: 'k' })) history.push(entry.string());
    expect(history).toEqual(['two']);
  });

  test('a bucket watch replays current values, follows changes and reports its end', async () => {
    const kv = await openBucket(nc, { name: 'kit-watch', history: 1, description: 'watch' });
    await kv.put('a', '1');
    await kv.put('b', '2');
    const seen: string[] = [];
    let initialDoneAfter = -1;
    const watch = await watchBucket(kv, (entry) => seen.push(`${entry.key}=${entry.string()}`), {
      onInitialDone: () => (initialDoneAfter = seen.length),
    });
    await waitFor('initial values', () => (initialDoneAfter >= 0 ? true : undefined));
    expect(initialDoneAfter).toBe(2);
    await kv.put('a', '3');
    await waitFor('change', () => (seen.includes('a=3') ? true : undefined));
    watch.stop();
    expect(await watch.ended).toEqual({ expected: true });
  });

  test('a reply that does not decode is a bad-reply error answered as server unavailable', async () => {
    const sub = nc.subscribe('test.kit.garbage', {
      callback: (_e, m) => {
        m.respond(new Uint8Array([0x0a, 0x05]));
      },
    });
    const error = await call(
      nc,
      'test.kit.garbage',
      { checks: [{ topic: 'a' }] },
      {
        timeoutMs: 2000,
        request: requestCodec,
        reply: replyCodec,
      },
    ).catch((e: unknown) => e);
    sub.unsubscribe();
    expect(error).toBeInstanceOf(BadReplyError);
    expect((error as BadReplyError).reasonCode).toBe(0x88);
  });
});
