// Issue #12's pure pieces: option validation, rates, durations, renamed keys, and the shared bandwidth limit.
import { describe, expect, it } from 'vitest';
import {
  optionsIssue,
  parseDuration,
  parseRate,
  renamedKey,
  taggingHeader,
  uploadOptionsSchema,
  withDefaults,
} from '../../shared/uploadOptions.ts';
import { Bandwidth } from '../../main/engine/bandwidth.ts';

describe('upload options', () => {
  it('parses rates and durations as the CLI writes them', () => {
    expect(parseRate('10MiB/s')).toBe(10 * 1024 * 1024);
    expect(parseRate('500KB/s')).toBe(500_000);
    expect(parseRate('2M')).toBe(2_000_000);
    expect(parseRate('fast')).toBeNull();
    expect(parseRate('0')).toBeNull();
    expect(parseDuration('7d')).toBe(604_800);
    expect(parseDuration('90')).toBe(90);
    expect(parseDuration('soon')).toBeNull();
  });

  it('renames keys as name (n).ext', () => {
    expect(renamedKey('dir/photo.jpg', 1)).toBe('dir/photo (1).jpg');
    expect(renamedKey('backup.tar.gz', 2)).toBe('backup (2).tar.gz');
    expect(renamedKey('README', 1)).toBe('README (1)');
  });

  it('refuses what S3 refuses, in words', () => {
    const issue = (value: unknown) => {
      const parsed = uploadOptionsSchema.safeParse(value);
      return parsed.success ? null : optionsIssue(parsed.error);
    };
    expect(issue({ tags: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) })).toMatch(/More than 10 tags/);
    expect(issue({ metadata: { 'bad key': 'v' } })).toMatch(/metadata key may contain/);
    expect(issue({ sseKmsKeyId: 'k' })).toMatch(/needs --sse aws:kms/);
    expect(issue({ sseC: true, sse: 'AES256' })).toMatch(/cannot be combined/);
    expect(issue({ secret: 'x' })).not.toBeNull();
    expect(issue({ storageClass: 'COLD', tags: { a: 'b c' } })).toBeNull();
    expect(taggingHeader({ a: 'b c', 'k/1': 'v=2' })).toBe('a=b%20c&k%2F1=v%3D2');
  });

  it('endpoint defaults fill what the upload leaves out; a customer key replaces a default --sse', () => {
    expect(withDefaults({ cacheControl: 'x' }, { cacheControl: 'y', storageClass: 'COLD' })).toEqual({
      cacheControl: 'x',
      storageClass: 'COLD',
    });
    expect(withDefaults({ sseC: true }, { sse: 'aws:kms', sseKmsKeyId: 'k' })).toEqual({ sseC: true });
  });
});

describe('Bandwidth', () => {
  it('lets bytes through no faster than the rate (plus one burst), and at once when lifted', async () => {
    const bandwidth = new Bandwidth(4 * 1024 * 1024);
    const signal = new AbortController().signal;
    const started = performance.now();
    for (let i = 0; i < 32; i++) await bandwidth.take(64 * 1024, signal); // 2 MiB
    const seconds = (performance.now() - started) / 1000;
    // 2 MiB at 4 MiB/s take at least 0.5 s minus the burst (1/20 s of the rate)
    expect(seconds).toBeGreaterThanOrEqual(0.5 - 0.05 - 0.01);
    bandwidth.rate = null;
    for (let i = 0; i < 1000; i++) await bandwidth.take(64 * 1024, signal);
    expect(bandwidth.rate).toBeNull();
  });
});
