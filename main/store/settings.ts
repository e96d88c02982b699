/** User settings in the store's settings table, with defaults; unknown or damaged values fall back. */
import type { DatabaseSync } from 'node:sqlite';
import type { Settings } from '../../shared/contract.ts';

export const DEFAULT_SETTINGS: Settings = { resumeOnLaunch: true, theme: 'system', giveUpAfterMinutes: 15 };

export function readSettings(db: DatabaseSync): Settings {
  const rows = db.prepare('SELECT key, value FROM settings').all() as unknown as { key: string; value: string }[];
  const settings: Settings = { ...DEFAULT_SETTINGS };
  for (const { key, value } of rows) {
    try {
      const parsed: unknown = JSON.parse(value);
      if (key === 'resumeOnLaunch' && typeof parsed === 'boolean') settings.resumeOnLaunch = parsed;
      if (key === 'theme' && (parsed === 'system' || parsed === 'light' || parsed === 'dark')) settings.theme = parsed;
      if (key === 'bandwidthLimit' && (parsed === null || (Number.isSafeInteger(parsed) && (parsed as number) >= 1)))
        settings.bandwidthLimit = parsed as number | null;
      if (key === 'giveUpAfterMinutes' && typeof parsed === 'number' && Number.isInteger(parsed) && parsed >= 1 && parsed <= 10_080)
        settings.giveUpAfterMinutes = parsed;
      if (key === 'receiptsFolder' && (parsed === null || (typeof parsed === 'string' && parsed.length > 0)))
        settings.receiptsFolder = parsed as string | null;
    } catch {
      // a damaged value keeps the default
    }
  }
  return settings;
}

export function writeSettings(db: DatabaseSync, patch: Partial<Settings>): Settings {
  const upsert = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  for (const [key, value] of Object.entries(patch)) if (value !== undefined) upsert.run(key, JSON.stringify(value));
  return readSettings(db);
}
