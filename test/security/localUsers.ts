// Local users for the attacks another user of the same computer can try: created by the test
// (CI runs as root), idempotent, removed afterwards. Each test file uses names of its own, since
// files run in parallel.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LocalUser {
  name: string;
  uid: number;
  gid: number;
}

function idOf(name: string): LocalUser | null {
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The local user `name`, created (no home, no login) if it does not exist yet. Needs root. */
export function ensureUser(name: string): LocalUser {
  if (process.getuid?.() !== 0) throw new Error(`test/security: creating the local user ${name} needs root (CI runs the tests as root).`);
  for (let attempt = 0; attempt < 50; attempt++) {
    const existing = idOf(name);
    if (existing) return existing;
    // another useradd may hold /etc/passwd's lock for a moment (exit 1 "cannot lock"): try again
    const made = spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name], { encoding: 'utf8' });
    if (made.status !== 0 && made.status !== 1 && made.status !== 9) throw new Error(`useradd ${name}: ${made.stderr}`);
  }
  throw new Error(`useradd ${name}: /etc/passwd stayed locked`);
}

/** Removes a user ensureUser made (and nothing of what it owns: the tests' directories are temporary). */
export function removeUser(user: LocalUser | undefined): void {
  if (!user) return;
  for (let attempt = 0; attempt < 50 && idOf(user.name); attempt++) spawnSync('userdel', [user.name]);
}

/** A temporary directory every user may enter (0755), for data directories of several users. */
export function sharedTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ferry-${prefix}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** Runs a command as `user`; its exit status and output. */
export function runAs(user: LocalUser, command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { uid: user.uid, gid: user.gid, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
