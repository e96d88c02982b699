/**
 * Ferry's version, from package.json: one place for every host that shows it, and for the user agent
 * Ferry names itself with to S3 servers (s3Client.ts).
 */
import { readFileSync } from 'node:fs';

export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
