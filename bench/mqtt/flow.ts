// Message traffic inside a generator process: connect the subscribers and publishers of a
// flow job, publish (as fast as flow control allows, or at scheduled times), count what every
// subscriber receives, and check each publisher's sequence numbers for gaps and duplicates.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FlowJob, FlowResult, PublisherSpec, ReasonCounts, SubscriberSpec } from './jobs.ts';
import { nowMs, PAYLOAD_HEADER_BYTES, PublishTemplate, RawClient } from './raw-client.ts';

/** Bytes a publisher's socket may hold unsent before the pump skips it (TCP back-pressure). */
const HIGH_WATER_BYTES = 64 * 1024;
/** PUBLISHes one publisher writes per pump turn. */
const BATCH = 16;
const CONTROL_TIMEOUT_MS = 15_000;
const KEEP_ALIVE_SECONDS = 120;
/** A QoS 0 drain ends when nothing more arrived for this long. */
const QUIET_MS = 1000;
/** A QoS 1 drain with nothing in flight ends when nothing more arrived for this long. */
const QUIET_ACKED_MS = 2000;
/**
 * QoS 0 window: a publisher whose in-flight messages made no progress for this long counts
 * them as dropped and goes on (a dropped QoS 0 message is never delivered, so never counted).
 */
const STALL_MS = 500;

interface Publisher {
  readonly client: RawClient;
  readonly index: number;
  readonly template: PublishTemplate;
  /** Subscribers of the same unit whose filter is this publisher's topic. */
  readonly copies: number;
  readonly window: number;
  seq: number;
  inflight: number;
  acked: number;
  /** QoS 0: copies delivered or known dropped, and when that last moved. */
  accounted: number;
  progressAt: number;
  /** Latency mode: scheduled times waiting for a free slot in the window. */
  readonly backlog: number[];
}

interface Subscriber {
  readonly client: RawClient;
  /** Next sequence number expected from each publisher, by publisher index. */
  readonly next: Uint32Array;
}

/** Events the runner times its samples by (broker CPU over the measured window). */
export type FlowEvent = 'window-start' | 'window-end';

/** One flow job's clients and counters. */
export class Flow {
  readonly #job: FlowJob;
  readonly #publishers: Publisher[] = [];
  /** Publishers by the index their payloads carry. */
  readonly #byIndex: Publisher[] = [];
  readonly #subscribers: Subscriber[] = [];
  readonly #problems: ReasonCounts = {};
  #delivered = 0;
  #duplicates = 0;
  #gaps = 0;
  #latencies: Float64Array = new Float64Array(0);
  #latencyCount = 0;
  #publishing = false;
  #pumpScheduled = false;
  #stop = new AbortController();
  #stoppedEarly = false;
  #sent = 0;
  #dropped = 0;
  #stallCheck: NodeJS.Timeout | undefined;

  constructor(job: FlowJob) {
    this.#job = job;
  }

  /** Connects and subscribes every client; resolves once all are ready. */
  async prepare(): Promise<void> {
    const job = this.#job;
    const publisherCount = job.units.reduce((sum, u) => sum + u.publishers.length, 0);
    const open = (spec: PublisherSpec | SubscriberSpec): Promise<RawClient> =>
      RawClient.open(spec.endpoint ?? job.endpoint, job.version, spec.client, {
        keepAliveSeconds: KEEP_ALIVE_SECONDS,
        timeoutMs: CONTROL_TIMEOUT_MS,
      });
    let index = 0;
    const pending: Promise<void>[] = [];
    for (const unit of job.units) {
      for (const spec of unit.subscribers) {
        pending.push(
          (async () => {
            const client = await open(spec);
            await client.subscribe(spec.filter, job.qos, CONTROL_TIMEOUT_MS);
            const subscriber: Subscriber = { client, next: new Uint32Array(publisherCount) };
            client.onPublish = (buffer, start, end) =>
              this.#received(subscriber, buffer, start, end);
            client.onClose = (why) => this.#closed('subscriber', client, why);
            if (job.subscriberBytesPerSecond > 0) client.readSlowly(job.subscriberBytesPerSecond);
            this.#subscribers.push(subscriber);
          })(),
        );
      }
      for (const spec of unit.publishers) {
        const publisherIndex = index++;
        const copies = copiesOf(unit.subscribers, spec.topic);
        pending.push(
          (async () => {
            const client = await open(spec);
            const publisher: Publisher = {
              client,
              index: publisherIndex,
              template: new PublishTemplate(spec.topic, job.qos, job.version, job.payloadBytes),
              copies,
              window: Math.max(1, Math.min(job.window, client.serverReceiveMaximum)),
              seq: 0,
              inflight: 0,
              acked: 0,
              accounted: 0,
              progressAt: 0,
              backlog: [],
            };
            this.#byIndex[publisherIndex] = publisher;
            client.onPuback = (_id, reasonCode) => this.#acked(publisher, reasonCode);
            client.onClose = (why) => this.#closed('publisher', client, why);
            client.socket.on('drain', () => this.#schedulePump());
            this.#publishers.push(publisher);
          })(),
        );
      }
    }
    const settled = await Promise.allSettled(pending);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed !== undefined) {
      await this.close();
      throw (failed as PromiseRejectedResult).reason;
    }
  }

  /** Stops publishing now (the runner's guard during a flood). */
  stopPublishing(): void {
    this.#stoppedEarly = true;
    this.#stop.abort();
  }

  /** Runs the job's mode and drains; `event` marks the measured window. */
  async run(event: (name: FlowEvent) => void): Promise<FlowResult> {
    const mode = this.#job.mode;
    let windowDelivered: number;
    let windowSent: number;
    let windowMs: number;
    let generatorCpu: number;
    let maxSendLagMs = 0;
    if (mode.type === 'throughput') {
      this.#publishing = true;
      if (this.#job.qos === 0 && this.#job.window > 0) {
        this.#stallCheck = setInterval(() => this.#checkStalls(), STALL_MS / 5);
      }
      this.#schedulePump();
      await this.#sleep(mode.warmupMs);
      const d0 = this.#delivered;
      const s0 = this.#sent;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      event('window-start');
      await this.#sleep(mode.windowMs);
      event('window-end');
      windowMs = performance.now() - t0;
      windowDelivered = this.#delivered - d0;
      windowSent = this.#sent - s0;
      generatorCpu = cpuShare(process.cpuUsage(cpu0), windowMs);
      this.#publishing = false;
      clearInterval(this.#stallCheck);
    } else {
      const total = Math.round((mode.ratePerSecond * mode.durationMs) / 1000);
      const copies = Math.max(0, ...this.#publishers.map((p) => p.copies));
      this.#latencies = new Float64Array(total * copies + 16);
      const d0 = this.#delivered;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      event('window-start');
      maxSendLagMs = await this.#scheduled(total, mode.ratePerSecond);
      await this.#drain();
      event('window-end');
      windowMs = performance.now() - t0;
      windowDelivered = this.#delivered - d0;
      windowSent = this.#sent;
      generatorCpu = cpuShare(process.cpuUsage(cpu0), windowMs);
    }
    await this.#drain();
    return {
      sent: this.#sent,
      acked: this.#publishers.reduce((sum, p) => sum + p.acked, 0),
      expected: this.#expected(),
      delivered: this.#delivered,
      windowDelivered,
      windowSent,
      windowMs,
      duplicates: this.#duplicates,
      gaps: this.#gaps + this.#dropped,
      latenciesMs: Array.from(this.#latencies.subarray(0, this.#latencyCount)),
      maxSendLagMs,
      generatorCpu,
      subscriberBytes: this.#subscribers.reduce((sum, s) => sum + s.client.bytesRead, 0),
      problems: this.#problems,
      stoppedEarly: this.#stoppedEarly,
    };
  }

  /** Disconnects every client and waits (bounded) for the sockets to close. */
  async close(): Promise<void> {
    this.#publishing = false;
    clearInterval(this.#stallCheck);
    const clients = [
      ...this.#publishers.map((p) => p.client),
      ...this.#subscribers.map((s) => s.client),
    ];
    for (const client of clients) client.disconnect();
    await Promise.all(clients.map((client) => client.whenClosed(5000)));
  }

  async #sleep(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.#stop.signal }).catch(() => undefined);
  }

  #schedulePump(): void {
    if (this.#pumpScheduled || !this.#publishing) return;
    this.#pumpScheduled = true;
    setImmediate(() => this.#pump());
  }

  // One turn over every publisher: write a batch where the socket and the window allow it.
  #pump(): void {
    this.#pumpScheduled = false;
    if (!this.#publishing || this.#stop.signal.aborted) return;
    const qos1 = this.#job.qos === 1;
    const windowed = this.#job.window > 0;
    const time = nowMs();
    let progressed = false;
    for (const p of this.#publishers) {
      if (p.client.closed || p.client.socket.writableLength >= HIGH_WATER_BYTES) continue;
      const free = qos1
        ? p.window - p.inflight
        : windowed
          ? p.window - this.#unaccounted(p)
          : BATCH;
      // Refill as soon as a slot frees, as devices do. Waiting for half the window to batch
      // the writes stalls mosquitto (TCP_NODELAY off by default: Nagle holds its PUBACKs
      // against our delayed ACKs, 16 messages per ~44 ms per publisher).
      if (free <= 0) continue;
      const count = Math.min(BATCH, free);
      this.#send(p, count, time);
      progressed = true;
    }
    if (progressed) this.#schedulePump();
  }

  // QoS 0: messages of `p` neither delivered to every subscriber nor known dropped.
  #unaccounted(p: Publisher): number {
    return p.copies === 0 ? 0 : p.seq - Math.floor(p.accounted / p.copies);
  }

  #checkStalls(): void {
    const now = performance.now();
    for (const p of this.#publishers) {
      const copies = p.seq * p.copies - p.accounted;
      if (copies > 0 && now - p.progressAt > STALL_MS) {
        this.#dropped += copies;
        p.accounted += copies;
        p.progressAt = now;
        this.#schedulePump();
      }
    }
  }

  #send(p: Publisher, count: number, timeMs: number): void {
    p.client.socket.write(p.template.batch(count, p.seq, p.index, timeMs));
    if (p.seq * p.copies === p.accounted) p.progressAt = performance.now();
    p.seq += count;
    this.#sent += count;
    if (this.#job.qos === 1) p.inflight += count;
  }

  // Latency mode: message k leaves at start + k / rate, from publisher k mod P; a full window
  // delays it, and that delay counts (latency runs from the scheduled time).
  async #scheduled(total: number, ratePerSecond: number): Promise<number> {
    const intervalMs = 1000 / ratePerSecond;
    const start = nowMs() + 5;
    const qos1 = this.#job.qos === 1;
    const publishers = this.#publishers;
    let maxLag = 0;
    let k = 0;
    while (k < total && !this.#stop.signal.aborted) {
      const now = nowMs();
      for (; k < total && start + k * intervalMs <= now; k++) {
        const scheduled = start + k * intervalMs;
        maxLag = Math.max(maxLag, now - scheduled);
        const p = publishers[k % publishers.length]!;
        if (p.client.closed) continue;
        if (qos1 && (p.inflight >= p.window || p.backlog.length > 0)) p.backlog.push(scheduled);
        else this.#send(p, 1, scheduled);
      }
      if (k < total) await this.#sleep(Math.max(0, start + k * intervalMs - nowMs()));
    }
    return maxLag;
  }

  #acked(p: Publisher, reasonCode: number): void {
    p.inflight = Math.max(0, p.inflight - 1);
    if (reasonCode >= 0x80) this.#count(`PUBACK 0x${reasonCode.toString(16)}`);
    else p.acked++;
    const scheduled = p.backlog.shift();
    if (scheduled !== undefined) this.#send(p, 1, scheduled);
    else this.#schedulePump();
  }

  #received(s: Subscriber, buffer: Buffer, start: number, end: number): void {
    this.#delivered++;
    if (end - start < PAYLOAD_HEADER_BYTES) {
      this.#count('payload too short');
      return;
    }
    const seq = buffer.readUInt32LE(start);
    const publisher = buffer.readUInt32LE(start + 4);
    if (publisher < s.next.length) {
      const next = s.next[publisher]!;
      let accounted = 1;
      if (seq === next) s.next[publisher] = next + 1;
      else if (seq > next) {
        this.#gaps += seq - next;
        accounted += seq - next;
        s.next[publisher] = seq + 1;
      } else {
        this.#duplicates++;
        accounted = 0;
      }
      const p = this.#byIndex[publisher];
      if (p !== undefined && accounted > 0 && this.#job.qos === 0) {
        // Never past what was sent: copies already written off as dropped may still arrive.
        p.accounted = Math.min(p.seq * p.copies, p.accounted + accounted);
        p.progressAt = performance.now();
        this.#schedulePump();
      }
    }
    if (this.#latencyCount < this.#latencies.length) {
      this.#latencies[this.#latencyCount++] = nowMs() - buffer.readDoubleLE(start + 8);
    }
  }

  #closed(role: string, client: RawClient, why: string): void {
    if (!client.closing) this.#count(`${role} closed: ${why}`);
  }

  #count(reason: string): void {
    this.#problems[reason] = (this.#problems[reason] ?? 0) + 1;
  }

  #expected(): number {
    const qos1 = this.#job.qos === 1;
    return this.#publishers.reduce((sum, p) => sum + (qos1 ? p.acked : p.seq) * p.copies, 0);
  }

  // Waits for the last deliveries: everything expected arrived, or nothing more is coming.
  async #drain(): Promise<void> {
    const deadline = performance.now() + this.#job.drainTimeoutMs;
    const qos1 = this.#job.qos === 1;
    let last = -1;
    let quietSince = performance.now();
    while (performance.now() < deadline) {
      const inflight = this.#publishers.reduce(
        (sum, p) => sum + (p.client.closed ? 0 : p.inflight + p.backlog.length),
        0,
      );
      if (inflight === 0 && this.#delivered >= this.#expected()) return;
      const now = performance.now();
      if (this.#delivered !== last) {
        last = this.#delivered;
        quietSince = now;
      } else if (
        (!qos1 && now - quietSince > QUIET_MS) ||
        (inflight === 0 && now - quietSince > QUIET_ACKED_MS)
      ) {
        return;
      }
      await sleep(20);
    }
  }
}

/**
 * Copies of one message on `topic`: one per plain subscriber of the topic, one per shared group
 * on it, whatever its number of members (MQTT 5 §4.8.2: each message goes to one member).
 */
function copiesOf(subscribers: readonly SubscriberSpec[], topic: string): number {
  const groups = new Set<string>();
  let plain = 0;
  for (const { filter } of subscribers) {
    if (filter === topic) plain++;
    else if (filter.startsWith('$share/') && filter.endsWith(`/${topic}`)) {
      const group = filter.slice('$share/'.length, filter.length - topic.length - 1);
      if (!group.includes('/')) groups.add(group);
    }
  }
  return plain + groups.size;
}

function cpuShare(usage: NodeJS.CpuUsage, windowMs: number): number {
  return windowMs > 0 ? (usage.user + usage.system) / 1000 / windowMs : 0;
}
