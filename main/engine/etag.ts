/** ETags as S3 sends them, in double quotes ("<md5 hex>" or "<md5 of part md5s>-<parts>"). */

/** An ETag without its quotes ('' when there is none), as Ferry stores and compares it. */
export const unquote = (etag: string | undefined): string => (etag ?? '').replace(/^"|"$/g, '');
