// The runner's side of the load generators: forks them, sends commands, and routes answers
// and window events back. Each generator is its own process (own event loop, own file limit).
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { stopChild } from '@octomesh/service-kit';
import type {
  ConnectJob,
  ConnectResult,
  FlowJob,
  FlowResult,
  GeneratorCommand,
  GeneratorMessage,
  IdleCloseResult,
  IdleOpenJob,
  IdleOpenResult,
} from './jobs.ts';

const generatorMain = join(import.meta.dirname, 'generator.ts');
const READY_TIMEOUT_MS = 30_000;

/** Distributive Omit: keeps each command's own fields. */
type CommandBody = GeneratorCommand extends infer C
  ? C extends GeneratorCommand
    ? Omit<C, 'id'>
    : never
  : never;

interface Pending {
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly onEvent?: (name: 'window-start' | 'window-end') => void;
}

/** One generator process. */
export class Generator {
  readonly child: ChildProcess;
  readonly name: string;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  readonly #ready: Promise<void>;

  constructor(name: string) {
    this.name = name;
    this.child = fork(generatorMain, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    let markReady: () => void = () => undefined;
    this.#ready = new Promise((resolve) => (markReady = resolve));
    this.child.on('message', (message: GeneratorMessage) => {
      if (message.type === 'ready') return markReady();
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      if (message.type === 'event') return pending.onEvent?.(message.name);
      this.#pending.delete(message.id);
      if (message.type === 'result') pending.resolve(message.result);
      else pending.reject(new Error(`${name}: ${message.message}`));
    });
    this.child.once('exit', (code, signal) => {
      const error = new Error(`${name} exited (${code ?? signal})`);
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    });
  }

  /** Resolves once the process listens for commands. */
  async ready(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} not ready`)), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.#ready, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #request<T>(body: CommandBody, onEvent?: Pending['onEvent']): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      if (!this.child.connected) {
        reject(new Error(`${this.name} is gone`));
        return;
      }
      this.#pending.set(id, {
        resolve: resolve as (result: unknown) => void,
        reject,
        ...(onEvent !== undefined ? { onEvent } : {}),
      });
      this.child.send({ ...body, id } as GeneratorCommand);
    });
  }

  /** Connects and subscribes a flow's clients. */
  prepare(job: FlowJob): Promise<void> {
    return this.#request({ cmd: 'prepare', job });
  }

  /** Runs the prepared flow; `onEvent` hears when the measured window starts and ends. */
  start(onEvent?: Pending['onEvent']): Promise<FlowResult> {
    return this.#request({ cmd: 'start' }, onEvent);
  }

  /** Stops the running flow's publishers early. */
  stopPublishing(): Promise<void> {
    return this.#request({ cmd: 'stop-publishing' });
  }

  connect(job: ConnectJob): Promise<ConnectResult> {
    return this.#request({ cmd: 'connect', job });
  }

  openIdle(job: IdleOpenJob): Promise<IdleOpenResult> {
    return this.#request({ cmd: 'idle-open', job });
  }

  closeIdle(): Promise<IdleCloseResult> {
    return this.#request({ cmd: 'idle-close' });
  }

  /** Ends the process (closing the IPC channel makes it exit; SIGTERM/SIGKILL if it lingers). */
  async stop(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    await stopChild(this.child, 3000);
  }
}

/** Forks `count` generators and waits until all are ready. */
export async function startGenerators(count: number): Promise<Generator[]> {
  const generators = Array.from({ length: count }, (_, i) => new Generator(`generator-${i + 1}`));
  try {
    await Promise.all(generators.map((g) => g.ready()));
  } catch (error) {
    await Promise.all(generators.map((g) => g.stop()));
    throw error;
  }
  return generators;
}
