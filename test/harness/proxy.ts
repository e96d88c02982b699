// A TCP proxy in front of the test server that a test can freeze or slow down. While frozen, no
// byte moves in either direction (a stalled connection, as a dead NAT or a sleeping laptop makes).
// With a limit, the bytes towards the server share one rate, as a slow uplink does: an upload then
// takes a known time, so a test can act on it while it runs however fast the machine is. Loopback only.
import net from 'node:net';

export interface FreezableProxy {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  freeze(): void;
  thaw(): void;
  /** Limits the bytes sent to the server, over all connections, to `bytesPerSecond` (null: no limit). */
  limit(bytesPerSecond: number | null): void;
  /**
   * The server goes away, as a killed or rebooting one does: open connections are reset and new
   * ones refused (ECONNREFUSED: nothing listens on the port) until {@link up}.
   */
  down(): Promise<void>;
  /** The server is back on the same port. */
  up(): Promise<void>;
  /** TCP connections the proxy has accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

interface Pipe {
  client: net.Socket;
  upstream: net.Socket;
}

export async function startProxy(target: string): Promise<FreezableProxy> {
  const { hostname, port } = new URL(target);
  let frozen = false;
  let rate: number | null = null;
  /** When the shared uplink is free again (ms since the epoch): chunks queue behind each other. */
  let uplinkFreeAt = 0;
  const pipes = new Set<Pipe>();
  const held = new WeakMap<net.Socket, { drain: boolean; throttle: boolean }>();

  function resumeIfFree(socket: net.Socket): void {
    const state = held.get(socket)!;
    if (!frozen && !state.drain && !state.throttle && !socket.destroyed) socket.resume();
  }

  let connections = 0;
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    connections += 1;
    const upstream = net.connect({ port: Number(port), host: hostname, allowHalfOpen: true });
    const pipe = { client, upstream };
    pipes.add(pipe);
    const relay = (from: net.Socket, to: net.Socket, towardsServer: boolean) => {
      const state = { drain: false, throttle: false };
      held.set(from, state);
      from.on('data', (chunk: Buffer) => {
        if (frozen) from.pause(); // stop reading: the bytes wait in the kernel, nothing reaches the other side
        if (!to.write(chunk)) {
          state.drain = true;
          from.pause();
        }
        if (towardsServer && rate !== null) {
          const now = Date.now();
          uplinkFreeAt = Math.max(uplinkFreeAt, now) + (chunk.length / rate) * 1000;
          state.throttle = true;
          from.pause();
          setTimeout(() => {
            state.throttle = false;
            resumeIfFree(from);
          }, uplinkFreeAt - now).unref();
        }
      });
      to.on('drain', () => {
        state.drain = false;
        resumeIfFree(from);
      });
    };
    relay(client, upstream, true);
    relay(upstream, client, false);
    // an end travels as an end, after the bytes before it (a server that answers 403 and closes
    // mid-body must be heard, as on a real network); an error breaks both sides
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    const destroy = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', destroy);
    upstream.on('error', destroy);
    const closed = () => {
      if (client.destroyed && upstream.destroyed) pipes.delete(pipe);
    };
    client.on('close', closed);
    upstream.on('close', closed);
    if (frozen) {
      client.pause();
      upstream.pause();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  let listening = true;
  return {
    async down() {
      if (!listening) return;
      listening = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const { client, upstream } of pipes) {
        client.resetAndDestroy();
        upstream.destroy();
      }
      await closed;
    },
    async up() {
      if (listening) return;
      listening = true;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(address.port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    endpoint: `http://127.0.0.1:${address.port}`,
    freeze() {
      frozen = true;
      for (const { client, upstream } of pipes) {
        client.pause();
        upstream.pause();
      }
    },
    thaw() {
      frozen = false;
      for (const { client, upstream } of pipes) {
        resumeIfFree(client);
        resumeIfFree(upstream);
      }
    },
    get connections() {
      return connections;
    },
    limit(bytesPerSecond) {
      rate = bytesPerSecond;
      uplinkFreeAt = 0;
    },
    close: () =>
      new Promise((resolve) => {
        for (const { client, upstream } of pipes) {
          client.destroy();
          upstream.destroy();
        }
        if (listening) server.close(() => resolve());
        else resolve();
      }),
  };
}
