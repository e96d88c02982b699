// The arguments of `ferry endpoint add` for the test server, its secret piped on standard input
// (--secret-stdin): one builder for the CLI harness, the e2e fixtures and the security tests.
import type { TestS3 } from './s3env.ts';

export interface EndpointAddOptions {
  /** The URL the endpoint is reached at, when not the server's own (a proxy, a TLS front). */
  url?: string;
  /** More flags, after the others (e.g. --ca-file). */
  extra?: readonly string[];
}

/** `endpoint add NAME --url … --region … [--path-style] --checksums when-required --access-key-id … --secret-stdin`. */
export function endpointAddArgs(name: string, s3: TestS3, options: EndpointAddOptions = {}): string[] {
  return [
    'endpoint',
    'add',
    name,
    '--url',
    options.url ?? s3.endpoint,
    '--region',
    s3.region,
    ...(s3.forcePathStyle ? ['--path-style'] : []),
    '--checksums',
    'when-required',
    '--access-key-id',
    s3.accessKeyId,
    '--secret-stdin',
    ...(options.extra ?? []),
  ];
}
