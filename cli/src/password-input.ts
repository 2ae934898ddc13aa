// Passwords come from a prompt without echo (a terminal) or from stdin (scripts), never argv:
// argv is visible to every user of the machine in `ps`.
import { createInterface } from 'node:readline';

/** Reads one non-empty line from stdin (pipe) or asks twice on a terminal without echo. */
export async function readPassword(prompt: string): Promise<string> {
  const password = await readLine(prompt);
  if (password === '')
    throw new Error('empty password refused (use --no-password for a certificate-only account)');
  return password;
}

async function readLine(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
    if (text.includes('\n')) throw new Error('password on stdin must be a single line');
    return text;
  }
  const first = await ask(prompt);
  const second = await ask('again: ');
  if (first !== second) throw new Error('passwords differ');
  return first;
}

function ask(prompt: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const output = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stderr.write(prompt);
    output._writeToOutput = () => undefined;
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}
