/**
 * Checks on bucket names and object keys, shared by every host so that bad input is refused before
 * anything is queued or sent. https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */

/** Why `name` is not a usable bucket name, or null if it is. Lenient on legacy uppercase/underscore names. */
export function bucketNameProblem(name: string): string | null {
  if (name.length < 3 || name.length > 63) return `The bucket name "${name}" must be 3 to 63 characters long.`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$/.test(name)) {
    return `The bucket name "${name}" may contain only letters, digits, dots and hyphens, and must start and end with a letter or digit.`;
  }
  return null;
}

/** Why `key` is not a usable object key, or null if it is. */
export function objectKeyProblem(key: string): string | null {
  if (key.length === 0) return 'The object key is empty.';
  if (new TextEncoder().encode(key).length > 1024) return 'The object key is longer than 1,024 bytes.';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'The object key contains control characters.';
  return null;
}
