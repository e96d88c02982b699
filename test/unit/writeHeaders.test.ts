// What a PutObject or UploadPart sent without the SDK's stack carries (directWrites.ts): the options a
// person set become the headers S3 stores them from, and a key goes into the path as the SDK would put it.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyPath } from '../../main/engine/directWrites.ts';
import { objectFields, writeHeaders } from '../../main/engine/objectOptions.ts';
import { payloadHash } from '../../main/engine/partCheck.ts';

describe('writeHeaders', () => {
  it('turns every upload option into its S3 header', () => {
    const expires = '2030-01-02T03:04:05.000Z';
    const headers = writeHeaders(
      objectFields(
        {
          contentType: 'text/plain; charset=utf-8',
          cacheControl: 'max-age=60',
          contentDisposition: 'attachment; filename="a.txt"',
          contentEncoding: 'gzip',
          contentLanguage: 'de',
          expires,
          metadata: { Project: 'ferry', owner: 'me' },
          tags: { team: 'a b', env: 'prod' },
          storageClass: 'STANDARD_IA',
          acl: 'private',
          sse: 'aws:kms',
          sseKmsKeyId: 'key-1',
        },
        undefined,
      ),
    );
    expect(headers).toEqual({
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'max-age=60',
      'content-disposition': 'attachment; filename="a.txt"',
      'content-encoding': 'gzip',
      'content-language': 'de',
      expires: 'Wed, 02 Jan 2030 03:04:05 GMT',
      'x-amz-meta-project': 'ferry',
      'x-amz-meta-owner': 'me',
      'x-amz-tagging': 'team=a%20b&env=prod',
      'x-amz-storage-class': 'STANDARD_IA',
      'x-amz-acl': 'private',
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': 'key-1',
    });
  });

  it('sends an SSE-C key with the MD5 of its bytes, a conditional write and the part check', () => {
    const key = Buffer.alloc(32, 9);
    const headers = writeHeaders({
      ...objectFields({ sseC: true }, key.toString('base64')),
      ContentMD5: 'q1w2e3==',
      IfNoneMatch: '*',
    });
    expect(headers).toEqual({
      'x-amz-server-side-encryption-customer-algorithm': 'AES256',
      'x-amz-server-side-encryption-customer-key': key.toString('base64'),
      'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(key).digest('base64'),
      'content-md5': 'q1w2e3==',
      'if-none-match': '*',
    });
  });

  it('signs the SHA-256 only when that is the check', () => {
    expect(payloadHash({ check: 'sha256', value: 'ab'.repeat(32) })).toBe('ab'.repeat(32));
    expect(payloadHash({ check: 'md5', value: '00'.repeat(16) })).toBe('UNSIGNED-PAYLOAD');
  });
});

describe('keyPath', () => {
  it('encodes each segment as the SDK does and keeps the slashes', () => {
    expect(keyPath("a b/c+d/(e)!*'~.txt")).toBe('a%20b/c%2Bd/%28e%29%21%2A%27~.txt');
    expect(keyPath('Grüße/日本')).toBe('Gr%C3%BC%C3%9Fe/%E6%97%A5%E6%9C%AC');
    expect(keyPath('//x/')).toBe('//x/');
    expect(keyPath('100%.bin')).toBe('100%25.bin');
  });
});
