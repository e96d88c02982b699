// The S3 server the integration tests use, handed from the global setup (test/harness/globalSetup.ts) to the
// tests:   import { inject } from 'vitest';  const s3 = inject('s3');  const client = testClient(s3);
export interface TestS3 {
  /** e.g. http://127.0.0.1:24100 */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** true for RGW (and MinIO by default); false when FERRY_TEST_S3_VIRTUAL_HOSTED=1 */
  forcePathStyle: boolean;
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3: TestS3;
    /**
     * Directory of the Ceph RGW cluster the harness started, or null when the tests run against a server
     * named by FERRY_TEST_S3_ENDPOINT. With it a test can run admin commands:
     * `const dir = inject('rgwDir'); if (dir) await gcProcess({ dir });` (gcProcess from ./rgw.ts).
     */
    rgwDir: string | null;
  }
}
