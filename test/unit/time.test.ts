import { describe, expect, it } from 'vitest';
import { formatAge, formatDuration } from '../../shared/time.ts';

// one formatter for the window and the CLI (they had one each, with different outputs)
describe('durations and ages in words', () => {
  it('says how long is left', () => {
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(185)).toBe('3 min 5 s');
    expect(formatDuration(7_800)).toBe('2 h 10 min');
    expect(formatDuration(3 * 86_400 + 4 * 3600)).toBe('3 d 4 h');
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(Infinity, '--')).toBe('--');
  });

  it('says how long ago', () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    expect(formatAge('2026-01-10T11:59:30Z', now)).toBe('Just now');
    expect(formatAge('2026-01-10T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatAge('2026-01-10T09:00:00Z', now)).toBe('3 hours ago');
    expect(formatAge('2026-01-01T12:00:00Z', now)).toBe('9 days ago');
    expect(formatAge(null, now)).toBe('Unknown');
  });
});
