// PutObject and UploadPart sent without the SDK's stack (directWrites.ts), through a real S3Client whose
// HTTP handler records what would go on the wire and answers as S3 does. The bytes and the server's
// checks are covered against Ceph RGW (test/integration); here: which writes take this path, what the
// signed request carries, and that S3's refusals read as the SDK's did.
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DirectWrites, type DirectWrite } from '../../main/engine/directWrites.ts';
import { toFerryError } from '../../main/engine/s3Errors.ts';

interface Sent {
  method: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}

type Answer = { statusCode: number; headers?: Record<string, string>; body?: string };

function recordingClient(checksums: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED', answer: (sent: Sent) => Answer, customUserAgent?: string) {
  const sent: Sent[] = [];
  const handler = {
    handle: async (request: Sent) => {
      sent.push(request);
      const reply = answer(request);
      return {
        response: { statusCode: reply.statusCode, headers: reply.headers ?? {}, body: Readable.from([Buffer.from(reply.body ?? '')]) },
      };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  };
  const client = new S3Client({
    endpoint: 'http://127.0.0.1:9000/base',
    region: 'eu-central-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestChecksumCalculation: checksums,
    requestHandler: handler as never,
    ...(customUserAgent ? { customUserAgent } : {}),
  });
  return { client, sent };
}

function write(overrides: Partial<DirectWrite> = {}): DirectWrite {
  const body = Buffer.from('hello');
  return {
    bucket: 'photos',
    key: 'trip 2026/day (1).jpg',
    body,
    contentLength: body.length,
    fields: { ContentMD5: 'XUFAKrxLKna5cZ2REBfFkg==', ContentType: 'image/jpeg' },
    digest: { check: 'md5', value: '5d41402abc4b2a76b9719d911017c592' },
    signal: new AbortController().signal,
    ...overrides,
  };
}

describe('DirectWrites', () => {
  it('signs a part for the endpoint the client resolves and reads the ETag S3 answers', async () => {
    const { client, sent } = recordingClient('WHEN_REQUIRED', () => ({ statusCode: 200, headers: { etag: '"abc"' } }));
    const answer = await new DirectWrites(client).send(write({ upload: { uploadId: 'u/1+2', partNumber: 7 } }));

    expect(answer).toEqual({ ETag: '"abc"', VersionId: undefined });
    expect(sent).toHaveLength(1);
    const request = sent[0]!;
    expect(request.method).toBe('PUT');
    expect(`${request.hostname}:${request.port}`).toBe('127.0.0.1:9000');
    expect(request.path).toBe('/base/photos/trip%202026/day%20%281%29.jpg');
    expect(request.query).toEqual({ partNumber: '7', uploadId: 'u/1+2' });
    expect(request.headers).toMatchObject({
      host: '127.0.0.1:9000',
      'content-length': '5',
      'content-md5': 'XUFAKrxLKna5cZ2REBfFkg==',
      'content-type': 'image/jpeg',
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    });
    const authorization = request.headers.authorization!;
    expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/s3\/aws4_request, /);
    expect(authorization).toMatch(/SignedHeaders=[^,]*content-md5;[^,]*host;x-amz-content-sha256;x-amz-date/);
  });

  it('leaves the write to the SDK where it adds its own checksum, and for buckets only it can address', async () => {
    // what only the SDK's stack puts on a request: its invocation id, and on 'when-supported' its CRC32
    const supported = recordingClient('WHEN_SUPPORTED', () => ({ statusCode: 200, headers: { etag: '"sdk"' } }));
    await expect(new DirectWrites(supported.client).send(write())).resolves.toMatchObject({ ETag: '"sdk"' });
    expect(supported.sent).toHaveLength(1);
    expect(supported.sent[0]!.headers).toHaveProperty('amz-sdk-invocation-id');
    expect(supported.sent[0]!.headers['x-amz-checksum-crc32'] ?? supported.sent[0]!.headers['x-amz-trailer']).toBeDefined();

    // an S3 Express directory bucket: the SDK's stack first asks for a session, which a direct write never does
    const required = recordingClient('WHEN_REQUIRED', () => ({ statusCode: 200, headers: { etag: '"sdk"' } }));
    await new DirectWrites(required.client).send(write({ bucket: 'fast--usw2-az1--x-s3' })).catch(() => undefined);
    expect(required.sent[0]?.query).toHaveProperty('session');
  });

  it("turns S3's refusal into the error the SDK gave, which reads the same to the user", async () => {
    const { client } = recordingClient('WHEN_REQUIRED', () => ({
      statusCode: 403,
      headers: { 'x-amz-request-id': 'req-1' },
      body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>req-1</RequestId></Error>',
    }));
    const error = await new DirectWrites(client).send(write()).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'AccessDenied',
      Code: 'AccessDenied',
      message: 'Access Denied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403, requestId: 'req-1' },
    });
    expect(Object.keys(error as object)).not.toContain('$response');
    const ferry = toFerryError(error, { operation: 'uploading the file', bucket: 'photos', endpoint: 'minio' });
    expect(ferry.code).toBe('ACCESS_DENIED');
  });

  it('corrects a skewed clock from the answer, as the SDK does, so that the retry is signed in server time', async () => {
    const serverTime = Date.now() + 3_600_000;
    let attempt = 0;
    const { client, sent } = recordingClient('WHEN_REQUIRED', (): Answer =>
      ++attempt === 1
        ? {
            statusCode: 403,
            headers: { date: new Date(serverTime).toUTCString() },
            body: '<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message></Error>',
          }
        : { statusCode: 200, headers: { etag: '"ok"' } },
    );
    const writes = new DirectWrites(client);
    const first = await writes.send(write()).catch((e: unknown) => e);
    expect(toFerryError(first, { operation: 'uploading the file', bucket: 'photos', endpoint: 'minio' }).code).toBe('CLOCK_SKEW');
    await expect(writes.send(write())).resolves.toMatchObject({ ETag: '"ok"' });

    const signedAt = (request: Sent) => {
      const [, y, mo, d, h, mi, s] = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(request.headers['x-amz-date']!)!;
      return Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!);
    };
    expect(Math.abs(signedAt(sent[0]!) - Date.now())).toBeLessThan(120_000);
    expect(Math.abs(signedAt(sent[1]!) - serverTime)).toBeLessThan(120_000);
  });

  it("names itself as the SDK's own requests do, Ferry's name included", async () => {
    const { client, sent } = recordingClient('WHEN_REQUIRED', () => ({ statusCode: 200, headers: { etag: '"abc"' } }), 'ferry/9.8.7');
    await client.send(new HeadObjectCommand({ Bucket: 'photos', Key: 'a.jpg' }));
    const writes = new DirectWrites(client);
    await writes.send(write());
    await writes.send(write({ upload: { uploadId: 'u', partNumber: 2 } }));

    const [sdk, ...direct] = sent.map((request) => request.headers);
    // the SDK's feature list ("m/...") depends on the request; the rest is the client's
    const withoutFeatures = (agent: string | undefined) => agent?.replace(/ m\/\S*/, '');
    expect(sdk!['user-agent']).toContain('ferry/9.8.7');
    expect(sdk!['x-amz-user-agent']).toContain('ferry/9.8.7');
    for (const headers of direct) {
      expect(withoutFeatures(headers['user-agent'])).toBe(withoutFeatures(sdk!['user-agent']));
      expect(headers['x-amz-user-agent']).toBe(sdk!['x-amz-user-agent']);
    }
  });
});
