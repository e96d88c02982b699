// A TCP proxy in front of the test server that a test can freeze: while frozen, no byte moves in
// either direction (a stalled connection, as a dead NAT or a sleeping laptop makes). Loopback only.
import net from 'node:net';

export interface FreezableProxy {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

export async function startProxy(target: string): Promise<FreezableProxy> {
  const { hostname, port } = new URL(target);
  let frozen = false;
  const pipes = new Set<{ client: net.Socket; upstream: net.Socket }>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    const pipe = { client, upstream };
    pipes.add(pipe);
    const relay = (from: net.Socket, to: net.Socket) => {
      from.on('data', (chunk) => {
        if (frozen) from.pause(); // stop reading: the bytes wait in the kernel, nothing reaches the other side
        if (!to.write(chunk)) from.pause();
      });
      to.on('drain', () => {
        if (!frozen) from.resume();
      });
    };
    relay(client, upstream);
    relay(upstream, client);
    const close = () => {
      client.destroy();
      upstream.destroy();
      pipes.delete(pipe);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    if (frozen) {
      client.pause();
      upstream.pause();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return {
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
        client.resume();
        upstream.resume();
      }
    },
    close: () =>
      new Promise((resolve) => {
        for (const { client, upstream } of pipes) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
