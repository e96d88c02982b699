/**
 * User settings in the store's settings table, with defaults; unknown or damaged values fall back.
 * A stored value is read back through the same schema the window's setSettings is checked with
 * (shared/contract.ts), so that nothing the contract refuses can come out of the store either.
 */
import type { DatabaseSync } from 'node:sqlite';
import { commandSchemas, TRANSFER_LIMITS, type Settings } from '../../shared/contract.ts';

export const DEFAULT_SETTINGS: Settings = {
  resumeOnLaunch: true,
  theme: 'system',
  giveUpAfterMinutes: 15,
  filesAtOnce: TRANSFER_LIMITS.filesAtOnce.default,
  partsPerFile: TRANSFER_LIMITS.partsPerFile.default,
  partSize: null,
  notifyOnFinish: true,
};

const FIELDS = commandSchemas.setSettings.shape;

function isField(key: string): key is keyof typeof FIELDS {
  return Object.hasOwn(FIELDS, key);
}

export function readSettings(db: DatabaseSync): Settings {
  const rows = db.prepare('SELECT key, value FROM settings').all() as unknown as { key: string; value: string }[];
  const settings: Settings = { ...DEFAULT_SETTINGS };
  for (const { key, value } of rows) {
    if (!isField(key)) continue;
    try {
      const parsed = FIELDS[key].safeParse(JSON.parse(value));
      if (parsed.success && parsed.data !== undefined) Object.assign(settings, { [key]: parsed.data });
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
