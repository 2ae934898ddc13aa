// The fabric benchmark's message shapes over one deployment (one or more broker replicas on the
// same NATS): clients are spread round-robin over the replicas' ports, and a pair's publisher
// and subscriber sit on different replicas whenever there are several.
import { devicePattern, roleClient } from './accounts.ts';
import type { BrokerUnderTest } from './brokers.ts';
import { flowDefects, mergeFlowResults } from './flow-scenarios.ts';
import type { Endpoint, FlowJob, FlowResult, FlowUnit, MqttVersion } from './jobs.ts';
import { accountIdentity } from './jobs.ts';
import { formatCount, formatShare, type Measurement } from './measurement.ts';
import { CpuMeter } from './process-stats.ts';
import type { ScenarioContext } from './scenario-context.ts';

const DRAIN_TIMEOUT_MS = 10_000;
const GENERATOR_SATURATED = 0.9;
const FAN_OUT_TOPIC = 'bench/fabric/fan-out';
const SHARED_TOPIC = 'bench/fabric/shared';
const SHARE_GROUP = 'bench';

/** The running replicas of one variant. */
export interface Deployment {
  readonly replicas: readonly BrokerUnderTest[];
  /** Other processes whose CPU is shown (nats-server). */
  readonly helpers: Readonly<Record<string, number>>;
}

/** The settings the fabric scenarios read. */
export interface FabricSettings {
  readonly version: MqttVersion;
  readonly windowMs: number;
  readonly warmupMs: number;
  readonly payloadBytes: number;
  readonly window: number;
  readonly pairs: number;
  readonly fanOut: number;
  readonly sharedMembers: number;
  readonly sharedPublishers: number;
  readonly deviceAccounts: number;
}

/** The message shapes measured for throughput. */
export const FabricShapes = { pairs: 'pairs', fanOut: 'fan-out', shared: 'shared' } as const;
/** One of {@link FabricShapes}. */
export type FabricShape = (typeof FabricShapes)[keyof typeof FabricShapes];

function replicaPort(deployment: Deployment, i: number): Endpoint {
  return deployment.replicas[i % deployment.replicas.length]!.open;
}

/** USP pairs: controller i publishes to device i's agent topic, from the next replica over. */
function pairUnits(deployment: Deployment, s: FabricSettings): FlowUnit[] {
  const devices = devicePattern(s.deviceAccounts, true);
  return Array.from({ length: s.pairs }, (_, i) => {
    const device = accountIdentity(devices, 'bench-fabric-pairs-sub-', i);
    return {
      subscribers: [{ client: device, filter: device.topic, endpoint: replicaPort(deployment, i) }],
      publishers: [
        {
          client: roleClient('controller', `bench-fabric-pairs-pub-${i}`, true),
          topic: device.topic,
          endpoint: replicaPort(deployment, i + 1),
        },
      ],
    };
  });
}

/** One publisher on the first replica; subscribers round-robin over all of them. */
function fanOutUnit(deployment: Deployment, s: FabricSettings): FlowUnit {
  return {
    publishers: [
      {
        client: roleClient('admin', 'bench-fabric-fan-out-pub-0', true),
        topic: FAN_OUT_TOPIC,
        endpoint: replicaPort(deployment, 0),
      },
    ],
    subscribers: Array.from({ length: s.fanOut }, (_, k) => ({
      client: roleClient('admin', `bench-fabric-fan-out-sub-${k}`, true),
      filter: FAN_OUT_TOPIC,
      endpoint: replicaPort(deployment, k),
    })),
  };
}

/** Members of one shared group and its publishers, both round-robin over the replicas. */
function sharedUnit(deployment: Deployment, s: FabricSettings): FlowUnit {
  return {
    publishers: Array.from({ length: s.sharedPublishers }, (_, p) => ({
      client: roleClient('admin', `bench-fabric-shared-pub-${p}`, true),
      topic: SHARED_TOPIC,
      endpoint: replicaPort(deployment, p),
    })),
    subscribers: Array.from({ length: s.sharedMembers }, (_, k) => ({
      client: roleClient('admin', `bench-fabric-shared-sub-${k}`, true),
      filter: `$share/${SHARE_GROUP}/${SHARED_TOPIC}`,
      endpoint: replicaPort(deployment, k),
    })),
  };
}

/** What a shape looks like, for section titles. */
export function describeShape(shape: FabricShape, s: FabricSettings): string {
  switch (shape) {
    case 'pairs':
      return `${s.pairs} pairs QoS 1 (publisher and subscriber on different replicas when there are several)`;
    case 'fan-out':
      return `fan-out 1→${s.fanOut} QoS 1 (publisher on the first replica, subscribers round-robin)`;
    case 'shared':
      return `shared subscription $share/${SHARE_GROUP}/${SHARED_TOPIC}, ${s.sharedPublishers} publishers → ${s.sharedMembers} members, QoS 1 (both round-robin)`;
  }
}

// Splits the job over the flow generators (whole units each; one unit is never split) and
// samples the CPU of every replica and helper over the measured window.
async function runSpreadFlow(
  ctx: ScenarioContext,
  deployment: Deployment,
  job: FlowJob,
): Promise<{ result: FlowResult; cpu: string }> {
  const generators = ctx.flowGenerators.slice(
    0,
    Math.max(1, Math.min(ctx.flowGenerators.length, job.units.length)),
  );
  const unitsOf = generators.map((_, g) => job.units.filter((_, u) => u % generators.length === g));
  await Promise.all(generators.map((gen, g) => gen.prepare({ ...job, units: unitsOf[g]! })));
  const meters: [string, CpuMeter][] = [
    ...deployment.replicas.map((r, i): [string, CpuMeter] => [
      `replica ${i + 1}`,
      new CpuMeter(r.pid),
    ]),
    ...Object.entries(deployment.helpers).map(([name, pid]): [string, CpuMeter] => [
      name,
      new CpuMeter(pid),
    ]),
  ];
  let cpu = 'n/a';
  const runs = generators.map((gen, g) =>
    gen.start(
      g === 0
        ? (name) => {
            if (name === 'window-start') for (const [, meter] of meters) meter.start();
            else cpu = meters.map(([n, meter]) => `${n} ${formatShare(meter.stop())}`).join(', ');
          }
        : undefined,
    ),
  );
  return { result: mergeFlowResults(await Promise.all(runs)), cpu };
}

/** Messages per second delivered over the window, with loss and duplicate accounting. */
export async function measureFabricFlow(
  ctx: ScenarioContext,
  deployment: Deployment,
  shape: FabricShape,
  s: FabricSettings,
): Promise<Measurement> {
  const units =
    shape === 'pairs'
      ? pairUnits(deployment, s)
      : shape === 'fan-out'
        ? [fanOutUnit(deployment, s)]
        : [sharedUnit(deployment, s)];
  const qos = 1;
  const { result, cpu } = await runSpreadFlow(ctx, deployment, {
    kind: 'flow',
    endpoint: deployment.replicas[0]!.open,
    version: s.version,
    qos,
    payloadBytes: s.payloadBytes,
    window: s.window,
    units,
    mode: { type: 'throughput', warmupMs: s.warmupMs, windowMs: s.windowMs },
    drainTimeoutMs: DRAIN_TIMEOUT_MS,
    subscriberBytesPerSecond: 0,
  });
  const rate = result.windowMs > 0 ? (result.windowDelivered * 1000) / result.windowMs : 0;
  const sentRate = result.windowMs > 0 ? (result.windowSent * 1000) / result.windowMs : 0;
  const defects = flowDefects(result, qos);
  const notes = [
    `${formatCount(rate)} msg/s delivered (${formatCount(sentRate)} PUBLISH/s sent)`,
    `CPU ${cpu}, generator ${formatShare(result.generatorCpu)}`,
    `delivered ${formatCount(result.delivered)} of ${formatCount(result.expected)} acknowledged copies`,
  ];
  if (result.generatorCpu > GENERATOR_SATURATED) notes.push('generator saturated: a lower bound');
  return {
    value: rate,
    cell: formatCount(rate),
    detail: [...notes, ...defects].join('; '),
    defects,
  };
}
