// A stored credential and where it goes (issue #10, findings 5 and 7): pointing an endpoint at
// another server must not take its secret along (neither through the window's updateEndpoint nor by
// editing the store), URLs with user info are refused, plain http:// to another computer is said,
// and a private CA is trusted per endpoint (--ca-file). Against the real RGW; the "other server" is
// a listener that records what it is sent.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FileKeyVault } from '../../main/endpoints/vault.ts';
import { HostService } from '../../main/host/service.ts';
import { cliSuite, FerryCli, lines, stackLines } from '../harness/cli.ts';
import { endpointAddArgs } from '../harness/endpointArgs.ts';
import { tempDir } from '../harness/engine.ts';
import { makeFile } from '../harness/s3.ts';

const s3 = inject('s3');
const suite = cliSuite('sec-endpoints');

/** The attacker's server: records every request it gets (and refuses it). */
interface Capture {
  url: string;
  requests: { method: string; path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

async function startCapture(): Promise<Capture> {
  const requests: Capture['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    req.resume();
    res.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code></Error>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let capture: Capture;
beforeAll(async () => {
  capture = await startCapture();
});
afterAll(() => capture?.close());

const rgwInput = {
  name: 'rgw',
  url: s3.endpoint,
  region: s3.region,
  addressing: 'path' as const,
  checksums: 'when-required' as const,
};

async function openService(): Promise<HostService> {
  const dataDir = tempDir('sec-endpoints-host');
  return HostService.open({ dataDir, vault: new FileKeyVault(dataDir), host: { kind: 'browser', version: 'test', canReadPaths: false } });
}

describe('a stored credential stays with its server', () => {
  it('the window cannot point an endpoint with a stored secret at another server without giving the secret again', async () => {
    const service = await openService();
    try {
      const added = await service.dispatch('addEndpoint', {
        ...rgwInput,
        credential: { kind: 'static', accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      });
      expect(added.ok).toBe(true);
      const id = (added as { value: { id: string } }).value.id;
      const moved = await service.dispatch('updateEndpoint', { ...rgwInput, id, url: capture.url });
      expect(moved).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/credential again/) } });
      const probe = await service.dispatch('testEndpoint', { id });
      expect(probe).toMatchObject({ ok: true, value: { ok: true } });
      // nothing signed with the stored secret reached the other server
      expect(capture.requests).toEqual([]);
      // the same host and port with another path or region is no move: the secret stays
      expect(await service.dispatch('updateEndpoint', { ...rgwInput, id, url: `${s3.endpoint}/`, region: 'us-east-1' })).toMatchObject({
        ok: true,
      });
    } finally {
      await service.close();
    }
  });

  it('the window cannot point an AWS-profile endpoint at another server without naming the profile again', async () => {
    const service = await openService();
    try {
      const added = await service.dispatch('addEndpoint', { ...rgwInput, credential: { kind: 'aws-profile', profile: 'work' } });
      const id = (added as { value: { id: string } }).value.id;
      const moved = await service.dispatch('updateEndpoint', { ...rgwInput, id, url: capture.url });
      expect(moved).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      const snapshot = await service.dispatch('snapshot', {});
      expect((snapshot as { value: { endpoints: { url: string }[] } }).value.endpoints[0]!.url).toBe(s3.endpoint);
    } finally {
      await service.close();
    }
  });

  it('a secret is bound to its server: edited into the store for another URL, it is not used', async () => {
    const ferry = await suite.cli();
    const db = new DatabaseSync(join(ferry.dataDir, 'ferry.db'));
    db.prepare("UPDATE endpoints SET profile = json_set(profile, '$.url', ?)").run(capture.url);
    db.close();
    const tested = await ferry.run(['endpoint', 'test', 'rgw']);
    expect(tested.code).not.toBe(0);
    expect(tested.stderr).toMatch(/stored for another server/);
    expect(stackLines(tested.stderr)).toEqual([]);
    expect(capture.requests.filter((r) => String(r.headers.authorization ?? '').includes(s3.accessKeyId))).toEqual([]);
  });
});

describe('endpoint URLs', () => {
  it('refuses user:password@ in a URL, pointing to --access-key-id and --secret-stdin, and stores nothing', async () => {
    const ferry = suite.track(new FerryCli());
    const url = `http://AKIDINURL:pa55w0rd-in-url@${new URL(s3.endpoint).host}`;
    const added = await ferry.run(['endpoint', 'add', 'leaky', '--url', url, '--access-key-id', 'AKID', '--secret-stdin'], { input: 'x' });
    expect(added.code).not.toBe(0);
    expect(added.stderr).toMatch(/--access-key-id and --secret-stdin/);
    expect(added.stdout + added.stderr).not.toContain('pa55w0rd-in-url');
    expect(await ferry.json<unknown[]>(['endpoint', 'list', '--json'])).toEqual([]);
  });

  it('says that plain http:// to another computer is not encrypted, in endpoint add and endpoint test', async () => {
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
    // a port nothing listens on, on this computer's own network address (connection refused at once)
    const url = `http://${lan ?? '192.0.2.1'}:9`;
    const ferry = suite.track(new FerryCli());
    const added = await ferry.run(['endpoint', 'add', 'lan', '--url', url, '--access-key-id', 'AKID', '--secret-stdin'], { input: 'x' });
    expect(added.code, added.stderr).toBe(0);
    expect(lines(added.stderr)).toContainEqual(expect.stringMatching(/^warning: .*plain http:\/\/.*unencrypted/));
    const tested = await ferry.run(['endpoint', 'test', 'lan']);
    expect(lines(tested.stderr)).toContainEqual(expect.stringMatching(/^warning: .*plain http:\/\/.*unencrypted/));
    // and not for this computer
    const local = await ferry.addEndpoint('rgw', s3);
    expect(local.stderr).not.toMatch(/unencrypted/);
  });
});

describe('a private CA for one endpoint (--ca-file)', () => {
  let terminator: tls.Server;
  let tlsUrl: string;
  let caFile: string;
  const dir = tempDir('sec-ca');

  beforeAll(async () => {
    const openssl = (...args: string[]) => {
      const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${result.stderr}`);
    };
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Ferry Test Private CA');
    openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    );
    caFile = join(dir, 'ca.pem');
    // TLS in front of the real RGW, with a certificate of the private CA
    const rgw = new URL(s3.endpoint);
    terminator = tls.createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, (socket) => {
      const upstream = net.connect(Number(rgw.port), rgw.hostname);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve));
    tlsUrl = `https://127.0.0.1:${(terminator.address() as net.AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => terminator?.close(() => resolve())));

  it('trusts the CA in the file for that endpoint only, for endpoint test and uploads', async () => {
    const ferry = suite.track(new FerryCli());
    const add = (name: string, extra: string[]) =>
      ferry.run(endpointAddArgs(name, s3, { url: tlsUrl, extra }), { input: s3.secretAccessKey });
    const withCa = await add('private', ['--ca-file', caFile]);
    expect(withCa.code, withCa.stderr).toBe(0);
    expect(withCa.stdout).toContain(`CA file ${caFile}`);
    const ok = await ferry.run(['endpoint', 'test', 'private']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^OK {2}private/);

    const files = tempDir('sec-ca-files');
    const small = await makeFile(files, 'ca.bin', 2000, 951);
    const uploaded = await ferry.run(['upload', small.path, `s3://${suite.bucket}/ca/ca.bin`, '--endpoint', 'private']);
    expect(uploaded.code, uploaded.stderr).toBe(0);

    // without it, the same server is not trusted
    expect((await add('public', [])).code).toBe(0);
    const refused = await ferry.run(['endpoint', 'test', 'public']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/FAILED {2}public/);
    expect(stackLines(refused.stderr)).toEqual([]);
  });

  it('refuses a CA file that is not there or holds no certificate', async () => {
    const ferry = suite.track(new FerryCli());
    for (const path of [join(dir, 'missing.pem'), join(dir, 'ext.cnf')]) {
      const result = await ferry.run(
        ['endpoint', 'add', 'bad', '--url', tlsUrl, '--access-key-id', 'AKID', '--secret-stdin', '--ca-file', path],
        { input: 'x' },
      );
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/The CA file .* (cannot be read|holds no PEM certificate)/);
    }
  });
});
