// Receipts in a versioned bucket (issue #15): each upload's receipt names the version it created, a
// later upload of the same key does not change an earlier receipt; an unversioned bucket has none.
import { describe, expect, it } from 'vitest';
import { CreateBucketCommand, HeadObjectCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MiB } from '../../shared/partPlan.ts';
import { cliSuite } from '../harness/cli.ts';
import { tempDir } from '../harness/engine.ts';
import { makeFile } from '../harness/s3.ts';

const suite = cliSuite('cli-receipt-version');

interface ReceiptJson {
  destination: { versionId: string | null };
}

describe('the version id in receipts', () => {
  it('names the version each upload created in a versioned bucket, multipart and single request', async () => {
    const { client, bucket } = suite;
    await client.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    const ferry = await suite.cli();
    const files = tempDir('receipt-version');
    const big = await makeFile(files, 'big.bin', 11 * MiB, 501);
    const small = join(files, 'note.txt');
    writeFileSync(small, 'first\n');

    const versions: string[] = [];
    const receipts: ReceiptJson[] = [];
    for (const [path, key] of [
      [big.path, 'v/big.bin'],
      [small, 'v/note.txt'],
      [small, 'v/note.txt'],
    ] as const) {
      if (versions.length === 2) writeFileSync(small, 'second\n');
      const uploaded = await ferry.run(['upload', path, `s3://${bucket}/${key}`, '--endpoint', 'rgw', '--part-size', '5MiB']);
      expect(uploaded.code, uploaded.stderr).toBe(0);
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      versions.push(head.VersionId!);
      const jobs = await ferry.jobs();
      receipts.push(await ferry.json<ReceiptJson>(['receipt', jobs.at(-1)!.id, '--json']));
    }
    expect(versions.every((version) => typeof version === 'string' && version.length > 0)).toBe(true);
    expect(receipts.map((receipt) => receipt.destination.versionId)).toEqual(versions);
    expect(versions[1]).not.toBe(versions[2]);
    // the first upload of the note still shows its own version, not the newer one
    const jobs = await ferry.jobs();
    const again = await ferry.json<ReceiptJson>(['receipt', jobs[1]!.id, '--json']);
    expect(again.destination.versionId).toBe(versions[1]);
    const text = await ferry.run(['receipt', jobs[0]!.id]);
    expect(text.stdout).toContain(`version     ${versions[0]}`);
  });

  it('has no version id in an unversioned bucket', async () => {
    const ferry = await suite.cli();
    const { bucket } = suite;
    const files = tempDir('receipt-version');
    const file = join(files, 'plain.txt');
    writeFileSync(file, 'plain\n');
    const other = `${bucket}-plain`.slice(0, 63);
    await suite.client.send(new CreateBucketCommand({ Bucket: other }));
    expect((await ferry.run(['upload', file, `s3://${other}/plain.txt`, '--endpoint', 'rgw'])).code).toBe(0);
    const [job] = await ferry.jobs();
    const receipt = await ferry.json<ReceiptJson>(['receipt', job!.id, '--json']);
    expect(receipt.destination.versionId).toBeNull();
  });
});
