/** Reads a secret: from a pipe, from a hidden prompt on a terminal, or from FERRY_SECRET_ACCESS_KEY. */
import { FerryError } from '../../shared/errors.ts';
import { EXIT, type Io } from './output.ts';

export async function readSecret(io: Io, fromStdin: boolean): Promise<string> {
  if (!fromStdin) {
    const secret = io.env.FERRY_SECRET_ACCESS_KEY;
    if (!secret) {
      throw new FerryError(
        'INVALID_INPUT',
        'No secret access key: pass --secret-stdin (and type or pipe it), or set FERRY_SECRET_ACCESS_KEY.',
      );
    }
    return secret;
  }
  const secret = io.stdin.isTTY && io.stdin.setRawMode ? await prompt(io) : await readAll(io.stdin);
  const trimmed = secret.replace(/\r?\n$/, '');
  if (trimmed === '') throw new FerryError('INVALID_INPUT', 'The secret access key read from standard input is empty.');
  return trimmed;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}

function prompt(io: Io): Promise<string> {
  return new Promise((resolve) => {
    io.stderr.write('Secret access key (not shown): ');
    const stdin = io.stdin;
    stdin.setRawMode!(true);
    stdin.resume();
    let value = '';
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n') {
          stdin.setRawMode!(false);
          stdin.pause();
          stdin.removeListener('data', onData);
          io.stderr.write('\n');
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          stdin.setRawMode!(false);
          io.stderr.write('\n');
          process.exit(EXIT.interrupted);
        }
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on('data', onData);
  });
}
