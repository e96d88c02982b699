/**
 * Durations and ages in words, one way for every host (the window, the CLI): "3 min 5 s" left,
 * "2 hours ago". Pure.
 */

/** "45 s", "3 min 5 s", "2 h 10 min", "3 d 4 h"; `unknown` (an en dash by default) when there is no estimate. */
export function formatDuration(seconds: number | null, unknown = '–'): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return unknown;
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) {
    const rest = s % 60;
    return minutes < 10 && rest > 0 ? `${minutes} min ${rest} s` : `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    const rest = minutes % 60;
    return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  }
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  return rest > 0 ? `${days} d ${rest} h` : `${days} d`;
}

/** How long ago an ISO time was: "Just now", "5 minutes ago", "3 days ago"; "Unknown" without a valid time. */
export function formatAge(iso: string | null, now: number = Date.now()): string {
  if (iso === null) return 'Unknown';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return 'Unknown';
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  if (seconds < 60) return 'Just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return plural(hours, 'hour');
  const days = Math.floor(hours / 24);
  if (days < 60) return plural(days, 'day');
  return plural(Math.floor(days / 30), 'month');
}
