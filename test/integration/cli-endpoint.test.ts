// `ferry endpoint add | list | test | remove` end to end: the secret from a pipe, from the environment or
// from an AWS profile; never printed, never stored in clear.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerryCli, lines, stackLines } from '../harness/cli.ts';
import { tempDir } from '../harness/engine.ts';

const s3 = inject('s3');
const WRONG_SECRET = 'wrong-secret-Zq8vR2kLm9Xw4TbN7cYp';
let clis: FerryCli[] = [];

function cli(options: ConstructorParameters<typeof FerryCli>[0] = {}): FerryCli {
  const made = new FerryCli(options);
  clis.push(made);
  return made;
}

afterEach(() => {
  // the secrets appear in no output of any command and in no file of any data directory
  for (const made of clis) {
    expect(made.secretLeaks(s3.secretAccessKey)).toEqual([]);
    expect(made.secretLeaks(WRONG_SECRET)).toEqual([]);
  }
  clis = [];
});

interface EndpointJson {
  id: string;
  name: string;
  url: string;
  region: string;
  addressing: string;
  checksums: string;
  credential: { kind: string; accessKeyId?: string; profile?: string };
}

describe('ferry endpoint', () => {
  it('adds an endpoint with the secret from stdin, lists it without the secret, tests it, removes it', async () => {
    const ferry = cli();
    const added = await ferry.addEndpoint('rgw', s3);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain('Added endpoint "rgw"');

    const list = await ferry.run(['endpoint', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(s3.secretAccessKey);
    const endpoints = JSON.parse(list.stdout) as EndpointJson[];
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]).toMatchObject({
      name: 'rgw',
      url: s3.endpoint,
      region: s3.region,
      addressing: s3.forcePathStyle ? 'path' : 'virtual',
      checksums: 'when-required',
      credential: { accessKeyId: s3.accessKeyId },
    });
    expect(JSON.stringify(endpoints)).not.toMatch(/secret/i);

    const tested = await ferry.run(['endpoint', 'test', 'rgw']);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toContain('OK');
    expect(stackLines(tested.stdout + tested.stderr)).toEqual([]);

    // a second endpoint with the same key id and a wrong secret: the test fails in words about the secret
    expect((await ferry.addEndpoint('wrong', s3, WRONG_SECRET)).code).toBe(0);
    const failed = await ferry.run(['endpoint', 'test', 'wrong']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).not.toContain('OK');
    expect(lines(failed.stderr)).toHaveLength(1);
    expect(failed.stderr).toMatch(/secret/i);
    expect(stackLines(failed.stdout + failed.stderr)).toEqual([]);

    const removed = await ferry.run(['endpoint', 'remove', 'wrong']);
    expect(removed.code, removed.stderr).toBe(0);
    expect((await ferry.json<EndpointJson[]>(['endpoint', 'list', '--json'])).map((e) => e.name)).toEqual(['rgw']);
    // gone: testing it again is a one-line input error
    const again = await ferry.run(['endpoint', 'test', 'wrong']);
    expect(again.code).toBe(2);
    expect(lines(again.stderr)).toHaveLength(1);
    expect(again.stderr).toContain('wrong');
    expect((await ferry.run(['endpoint', 'remove', 'rgw'])).code).toBe(0);
    expect(await ferry.json<EndpointJson[]>(['endpoint', 'list', '--json'])).toEqual([]);
  });

  it('takes the secret from FERRY_SECRET_ACCESS_KEY without --secret-stdin', async () => {
    const ferry = cli();
    const added = await ferry.run(
      [
        'endpoint',
        'add',
        'env',
        '--url',
        s3.endpoint,
        '--region',
        s3.region,
        ...(s3.forcePathStyle ? ['--path-style'] : []),
        '--access-key-id',
        s3.accessKeyId,
      ],
      { env: { FERRY_SECRET_ACCESS_KEY: s3.secretAccessKey } },
    );
    expect(added.code, added.stderr).toBe(0);
    // later commands run without the variable: the secret was stored (sealed)
    const tested = await ferry.run(['endpoint', 'test', 'env']);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toContain('OK');

    // neither --secret-stdin nor the variable: a one-line input error, nothing added
    const none = await ferry.run(['endpoint', 'add', 'nosecret', '--url', s3.endpoint, '--access-key-id', s3.accessKeyId]);
    expect(none.code).toBe(2);
    expect(lines(none.stderr)).toHaveLength(1);
    expect(none.stderr).toMatch(/secret/i);
    expect((await ferry.json<EndpointJson[]>(['endpoint', 'list', '--json'])).map((e) => e.name)).toEqual(['env']);
  });

  it('finds its data directory in FERRY_DATA_DIR; --data-dir wins over it', async () => {
    const ferry = cli();
    const other = cli();
    const viaEnv = { env: { FERRY_DATA_DIR: ferry.dataDir }, dataDirFlag: false };
    const added = await ferry.run(
      [
        'endpoint',
        'add',
        'envdir',
        '--url',
        s3.endpoint,
        '--region',
        s3.region,
        ...(s3.forcePathStyle ? ['--path-style'] : []),
        '--access-key-id',
        s3.accessKeyId,
        '--secret-stdin',
      ],
      { ...viaEnv, input: s3.secretAccessKey },
    );
    expect(added.code, added.stderr).toBe(0);
    // the same directory by flag
    expect((await ferry.json<EndpointJson[]>(['endpoint', 'list', '--json'])).map((e) => e.name)).toEqual(['envdir']);
    const tested = await ferry.run(['endpoint', 'test', 'envdir'], viaEnv);
    expect(tested.code, tested.stderr).toBe(0);
    // --data-dir of another directory overrides the variable
    const listed = await other.run(['endpoint', 'list', '--json'], { env: { FERRY_DATA_DIR: ferry.dataDir } });
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('references an AWS profile instead of copying its keys', async () => {
    const aws = tempDir('aws');
    writeFileSync(join(aws, 'config'), `[profile ferrytest]\nregion = ${s3.region}\n`);
    writeFileSync(
      join(aws, 'credentials'),
      `[ferrytest]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`,
    );
    const env = { AWS_CONFIG_FILE: join(aws, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(aws, 'credentials') };
    const ferry = cli({ env });

    const added = await ferry.run([
      'endpoint',
      'add',
      'prof',
      '--aws-profile',
      'ferrytest',
      '--url',
      s3.endpoint,
      '--region',
      s3.region,
      ...(s3.forcePathStyle ? ['--path-style'] : []),
    ]);
    expect(added.code, added.stderr).toBe(0);
    const [endpoint] = await ferry.json<EndpointJson[]>(['endpoint', 'list', '--json']);
    expect(endpoint).toMatchObject({
      name: 'prof',
      url: s3.endpoint,
      region: s3.region,
      credential: { kind: 'aws-profile', profile: 'ferrytest' },
    });
    const tested = await ferry.run(['endpoint', 'test', 'prof']);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toContain('OK');
  });
});
