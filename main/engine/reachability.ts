/**
 * Whether an endpoint answers again after an outage: a TCP connection to its host and port, tried
 * every few seconds. It only ends a long backoff early (retry.ts); the request that follows decides.
 */
import net from 'node:net';
import { sleep } from './retry.ts';

/** Resolves once a TCP connection to `url`'s host and port succeeds; rejects with the signal's reason. */
export async function waitUntilReachable(url: string, signal: AbortSignal, intervalMs = 2000): Promise<void> {
  const { hostname, port, protocol } = new URL(url);
  const target = { host: hostname.replace(/^\[|\]$/g, ''), port: Number(port) || (protocol === 'http:' ? 80 : 443) };
  for (;;) {
    signal.throwIfAborted();
    if (await connects(target, signal, Math.max(intervalMs, 1000))) return;
    await sleep(intervalMs, signal);
  }
}

function connects(target: { host: string; port: number }, signal: AbortSignal, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(target);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
