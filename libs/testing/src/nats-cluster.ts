// A three-node (or N-node) NATS cluster in containers, JetStream clustered, with the mesh's bus
// permissions on every node: for tests of what survives losing a NATS node (replicated KV,
// reconnecting services). Each node listens on its own loopback client and route ports, chosen
// up front so that a killed node comes back on the same ones.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inboxPrefixOf, type BusRole } from '@octomesh/contracts';
import { connectNats, prepareLocalBus, readSeedFile, seedFileOf } from '@octomesh/nats-kit';
import { createLogger } from '@octomesh/service-kit';
import { freePort, type TestContainer } from './containers.ts';
import { startNatsContainer } from './nats-server.ts';
import type { SecuredBusOptions, TestBus } from './secured-bus.ts';

/** One node of a {@link TestNatsCluster}. */
export interface ClusterNode {
  readonly name: string;
  readonly url: string;
  readonly container: TestContainer;
}

/** A running cluster; as a {@link TestBus}, its `url` lists every node. */
export interface TestNatsCluster extends TestBus {
  readonly nodes: readonly ClusterNode[];
  /** SIGKILL of one node (its store stays for a restart). */
  kill(index: number): Promise<void>;
  /** Starts a killed node again; resolves when it is back in the cluster. */
  restart(index: number): Promise<void>;
}

/** Options of {@link startNatsCluster}. */
export interface NatsClusterOptions extends Omit<SecuredBusOptions, 'tls'> {
  /** Nodes (default 3). */
  size?: number;
}

/** Starts the cluster and waits until every node sees the others. */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<TestNatsCluster> {
  const size = options.size ?? 3;
  const dataDir = mkdtempSync(join(tmpdir(), 'octomesh-cluster-'));
  const nodes: ClusterNode[] = [];
  try {
    const configFile = prepareLocalBus(dataDir, options);
    const clientPorts: number[] = [];
    const routePorts: number[] = [];
    for (let i = 0; i < size; i++) {
      clientPorts.push(await freePort());
      routePorts.push(await freePort());
    }
    const routes = routePorts.map((port) => `nats://127.0.0.1:${port}`).join(',');
    const startNode = async (i: number): Promise<ClusterNode> => {
      const storeDir = join(dataDir, `n${i + 1}`);
      mkdirSync(storeDir, { recursive: true });
      const nats = await startNatsContainer({
        name: `nats-n${i + 1}`,
        storeDir,
        mounts: [dataDir],
        configFile,
        port: clientPorts[i]!,
        args: [
          '--name',
          `n${i + 1}`,
          '--cluster_name',
          'octomesh-test',
          '--cluster',
          `nats://127.0.0.1:${routePorts[i]!}`,
          '--routes',
          routes,
        ],
      });
      return { name: `n${i + 1}`, url: nats.url, container: nats.container };
    };
    nodes.push(...(await Promise.all(Array.from({ length: size }, (_, i) => startNode(i)))));
    // JetStream needs a metadata leader before anyone can create a bucket; the elected node
    // says so (nats-server 2.9 logs nothing on the others).
    await Promise.any(
      nodes.map((node) =>
        node.container.waitForLog(/Self is new JetStream cluster metadata leader/, 30_000),
      ),
    );
    const url = nodes.map((node) => node.url).join(',');
    let stopped = false;
    return {
      url,
      port: clientPorts[0]!,
      kind: 'container',
      nodes,
      seedFile: (role: BusRole) => seedFileOf(dataDir, role),
      env: (role: BusRole) => ({ NATS_URL: url, NATS_NKEY_SEED_FILE: seedFileOf(dataDir, role) }),
      connect: (role: BusRole, name?: string) =>
        connectNats({
          servers: nodes.map((node) => node.url),
          name: name ?? `test-${role}`,
          logger: createLogger('test', 'silent'),
          nkeySeed: readSeedFile(seedFileOf(dataDir, role)),
          inboxPrefix: inboxPrefixOf(role),
        }),
      kill: (index: number) => nodes[index]!.container.kill(),
      async restart(index: number) {
        const node = nodes[index]!;
        await node.container.start();
        await node.container.waitForLog(/Server is ready/, 30_000);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await Promise.all(nodes.map((node) => node.container.stop()));
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(nodes.map((node) => node.container.stop()));
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
