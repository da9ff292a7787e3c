import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/**
 * Reads a password from standard input: a prompt without echo on a terminal, otherwise the first line of the
 * piped input (so `printf '%s' pw | omnisonic user create …` works in scripts). Trailing CR/LF are removed.
 */
export async function readPassword(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of input) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  process.stderr.write(prompt);
  // Echo goes to a sink, so the typed password never appears on screen.
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input, output: sink, terminal: true });
  const line = await new Promise<string>((resolve) => rl.once('line', resolve));
  rl.close();
  process.stderr.write('\n');
  return line;
}
