// A load generator process: the runner forks it so that the clients never share an event loop
// with the broker under test (nor with the runner's sampling), and talks to it over IPC.
// It ends itself when the runner goes away.
import { closeIdle, openIdle, runConnectJob } from './connection-jobs.ts';
import { Flow } from './flow.ts';
import type { GeneratorCommand, GeneratorMessage } from './jobs.ts';

if (process.send === undefined) {
  process.stderr.write('generator.ts runs as a child of bench/mqtt/run.ts\n');
  process.exit(2);
}

const send = (message: GeneratorMessage): void => {
  process.send?.(message);
};

let flow: Flow | undefined;

async function handle(command: GeneratorCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'prepare': {
      flow = new Flow(command.job);
      await flow.prepare();
      return null;
    }
    case 'start': {
      const running = flow;
      if (running === undefined) throw new Error('start before prepare');
      try {
        return await running.run((name) => send({ type: 'event', id: command.id, name }));
      } finally {
        await running.close();
        flow = undefined;
      }
    }
    case 'stop-publishing':
      flow?.stopPublishing();
      return null;
    case 'connect':
      return runConnectJob(command.job);
    case 'idle-open':
      return openIdle(command.job);
    case 'idle-close':
      return closeIdle();
  }
}

process.on('message', (message: GeneratorCommand) => {
  handle(message).then(
    (result) => send({ type: 'result', id: message.id, result }),
    (error: unknown) =>
      send({
        type: 'error',
        id: message.id,
        message: error instanceof Error ? error.message : String(error),
      }),
  );
});
// The runner is gone (finished, Ctrl-C, crash): drop every socket by exiting.
process.on('disconnect', () => process.exit(0));
// Ctrl-C reaches the whole process group; the runner decides when we stop.
process.on('SIGINT', () => undefined);
send({ type: 'ready' });
