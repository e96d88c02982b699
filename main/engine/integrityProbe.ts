/**
 * Which checks does the endpoint's server validate when a part arrives? Asked for real, not assumed
 * (issue #14): for each check, a small part is sent once with the right value (it must be accepted,
 * or the check cannot be used there at all) and once with a wrong one (a server that validates it
 * refuses). Everything happens inside multipart uploads of a probe key that are aborted afterwards,
 * so no object is ever written. Facts measured with Ceph RGW 16: Content-MD5 and a signed payload's
 * SHA-256 are validated, `x-amz-checksum-*` are neither validated nor stored.
 */
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  type ChecksumAlgorithm,
  type S3Client,
} from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import type { EndpointIntegrity, PartCheck } from '../../shared/endpoint.ts';
import { checkFields, choosePartCheck, crc32Available, digestOf, withPartCheck, type PartDigest } from './partCheck.ts';

const BODY = Buffer.from('Ferry integrity probe: this upload is aborted at once.\n');
const OTHER = Buffer.from('Ferry integrity probe: other bytes, whose digest is wrong.\n');

/** The probe's key: never a real object (its uploads are aborted), but recognisable if one is left behind. */
export function probeKey(): string {
  return `.ferry-probe-${randomUUID()}`;
}

/**
 * Probes `bucket` (the credentials must be allowed to write there). CRC32 is probed only where this
 * Node can compute it (zlib.crc32, Node 22), as it would be used only there.
 */
export async function probeIntegrity(client: S3Client, bucket: string, signal: AbortSignal): Promise<EndpointIntegrity> {
  const key = probeKey();
  const send = { abortSignal: signal };
  const uploads: string[] = [];
  const create = async (algorithm?: ChecksumAlgorithm): Promise<string> => {
    const created = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...(algorithm ? { ChecksumAlgorithm: algorithm } : {}) }),
      send,
    );
    if (!created.UploadId) throw new Error('the server returned no UploadId');
    uploads.push(created.UploadId);
    return created.UploadId;
  };
  let partNumber = 0;
  /** Sends BODY with `digest` as its check: true if the server accepted it. */
  const accepts = async (uploadId: string, digest: PartDigest): Promise<boolean> => {
    const command = withPartCheck(
      new UploadPartCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        PartNumber: ++partNumber,
        Body: BODY,
        ContentLength: BODY.length,
        ...checkFields(digest),
      }),
      digest,
    );
    try {
      await client.send(command, send);
      return true;
    } catch (error) {
      signal.throwIfAborted();
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      // a refusal is an answer; anything else (no answer, a server error) leaves the question open
      if (status === undefined || status >= 500) throw error;
      return false;
    }
  };
  const validates = async (uploadId: string, check: PartCheck): Promise<boolean> => {
    const right = digestOf(check, BODY);
    if (!(await accepts(uploadId, right))) {
      // the baseline every server takes: refused, the probe cannot tell anything (no permission to write?)
      if (check === 'md5') throw new Error('the server refused a part with a correct Content-MD5');
      return false;
    }
    const wrong = { check, value: digestOf(check, OTHER).value };
    return !(await accepts(uploadId, wrong));
  };
  try {
    const plain = await create();
    const contentMd5 = await validates(plain, 'md5');
    const signedSha256 = await validates(plain, 'sha256');
    let crc32 = false;
    if (crc32Available()) {
      // as uploads would use it: an upload created for CRC32 (some servers refuse part checksums otherwise)
      const withCrc32 = await create('CRC32').catch((error: unknown) => {
        signal.throwIfAborted();
        const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === undefined || status >= 500) throw error;
        return null;
      });
      crc32 = withCrc32 !== null && (await validates(withCrc32, 'crc32'));
    }
    return { contentMd5, signedSha256, crc32, probedAt: Date.now() };
  } finally {
    for (const uploadId of uploads) {
      await client
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), { abortSignal: signal })
        .catch(() => undefined);
    }
  }
}

/** What `endpoint test` says about it. */
export function describeIntegrity(found: EndpointIntegrity): string {
  const validated = [found.crc32 ? 'CRC32' : '', found.signedSha256 ? 'signed SHA-256 payloads' : '', found.contentMd5 ? 'Content-MD5' : '']
    .filter(Boolean)
    .join(', ');
  return validated === '' ? 'none of CRC32, signed SHA-256 payloads, Content-MD5' : validated;
}

/** A probe's deadline: it is a handful of tiny requests. */
const PROBE_TIMEOUT_MS = 30_000;

/**
 * What one endpoint validates, as known to this process: from its stored profile, else probed once
 * on the first upload's bucket and handed to `learn` (which stores it with the endpoint). Without
 * `learn` (a host that stores no endpoints) nothing is probed and parts carry Content-MD5. A probe
 * that fails (no answer, no permission) leaves Content-MD5 for this process, and is not stored.
 */
export class EndpointChecks {
  #known: EndpointIntegrity | undefined;
  readonly #learn: ((found: EndpointIntegrity) => void) | undefined;
  #probing: Promise<EndpointIntegrity | null> | null = null;

  constructor(known: EndpointIntegrity | undefined, learn?: (found: EndpointIntegrity) => void) {
    this.#known = known;
    this.#learn = learn;
  }

  async choose(client: S3Client, bucket: string, signal: AbortSignal): Promise<PartCheck> {
    if (this.#known !== undefined || this.#learn === undefined) return choosePartCheck(this.#known);
    // one probe for every job of the endpoint; on its own deadline, so that pausing one job does not cancel it
    this.#probing ??= probeIntegrity(client, bucket, AbortSignal.timeout(PROBE_TIMEOUT_MS)).then(
      (found) => {
        this.#known = found;
        try {
          this.#learn?.(found);
        } catch {
          // not stored: the next process probes again
        }
        return found;
      },
      () => null,
    );
    signal.throwIfAborted();
    let onAbort = () => undefined as void;
    const found = await Promise.race([
      this.#probing,
      new Promise<never>((_, reject) => {
        onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]).finally(() => signal.removeEventListener('abort', onAbort));
    return choosePartCheck(found ?? undefined);
  }
}
