// Starting the browser host as a separate process (hostProcess.ts) and asking it for links.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../harness/engine.ts';
import { cleanEnv } from '../harness/cli.ts';

const SCRIPT = fileURLToPath(new URL('./hostProcess.ts', import.meta.url));

/** A renderer directory with just an index.html (the host serves files; which ones does not matter here). */
export function fakeRenderer(): string {
  const dir = tempDir('renderer');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html><head><title>Ferry</title></head><body></body></html>');
  return dir;
}

export interface HostProcess {
  child: ChildProcess;
  port: number;
  /** The first link it printed. */
  link: string;
  /** Asks for a new link. */
  newLink(): Promise<string>;
  /** Resolves with the exit code if the process ends (a crash). */
  exited: Promise<number | null>;
  stderr(): string;
  stop(): Promise<void>;
}

export async function startHostProcess(): Promise<HostProcess> {
  const child = spawn(process.execPath, [SCRIPT, tempDir('host-data'), fakeRenderer()], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: cleanEnv(),
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => lines.shift()?.(line));
  const nextLine = () =>
    Promise.race([
      new Promise<string>((resolve) => lines.push(resolve)),
      exited.then((code) => {
        throw new Error(`the host process exited (${code}): ${stderr}`);
      }),
    ]);
  const first = JSON.parse(await nextLine()) as { port: number; link: string };
  return {
    child,
    port: first.port,
    link: first.link,
    async newLink() {
      const line = nextLine();
      child.stdin!.write('\n');
      return (JSON.parse(await line) as { link: string }).link;
    },
    exited,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
