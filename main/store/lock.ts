/**
 * One engine per data directory. The lock is an SQLite database held in exclusive locking mode: the
 * operating system releases the lock when the process dies, even by SIGKILL, so a crash never leaves
 * a stale lock behind. The holder's PID and command line go to a side file so that a second engine
 * can say who owns the directory.
 */
import { DatabaseSync } from 'node:sqlite';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineLockedError } from '../../shared/errors.ts';
import { ownerOnly } from './database.ts';

export interface DataDirLock {
  release(): void;
}

interface Owner {
  pid: number;
  command: string;
  since: string;
}

export function acquireDataDirLock(dataDir: string): DataDirLock {
  const file = join(dataDir, 'engine.lock');
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  ownerOnly(file);
  const db = new DatabaseSync(file, { timeout: 0 });
  try {
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS held (at TEXT)');
    db.exec('COMMIT');
  } catch (error) {
    db.close();
    if (/locked|busy/i.test(String((error as Error).message))) {
      throw new EngineLockedError(describeOwner(dataDir));
    }
    throw error;
  }
  const owner: Owner = { pid: process.pid, command: process.argv.slice(1).join(' '), since: new Date().toISOString() };
  writeFileSync(join(dataDir, 'engine.owner.json'), JSON.stringify(owner), { mode: 0o600 });
  ownerOnly(join(dataDir, 'engine.owner.json'));
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      db.close();
    },
  };
}

function describeOwner(dataDir: string): string {
  let who = 'another Ferry process';
  try {
    const owner = JSON.parse(readFileSync(join(dataDir, 'engine.owner.json'), 'utf8')) as Owner;
    who = `Ferry process ${owner.pid} (${owner.command || 'ferry'}, running since ${owner.since})`;
  } catch {
    // the owner file is informative only
  }
  return `The data directory ${dataDir} is in use by ${who}. Stop that process, or use another --data-dir.`;
}
