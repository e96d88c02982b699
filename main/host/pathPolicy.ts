/**
 * Which files of this computer the browser host lets a page see and upload (pure: the caller
 * resolves real paths). A page is less trusted than the person at the desktop app, who keeps
 * uploading any file they pick or drop: through the browser host only absolute paths are taken,
 * each resolved to its real path (symlinks followed), and the places that hold secrets or are not
 * files at all are refused, inside them included:
 *   Ferry's data directory, /proc, /sys, /dev, ~/.ssh, ~/.aws, ~/.gnupg, ~/.config/Ferry and the
 *   keychain files (~/.local/share/keyrings, ~/Library/Keychains).
 */
import { posix, win32 } from 'node:path';

export interface ProtectedPlace {
  /** An absolute path; the caller passes real paths (symlinks resolved) where they exist. */
  path: string;
  /** What it is, for the message: "Ferry's data directory". */
  what: string;
}

export interface PolicyInput {
  dataDir: string;
  home: string;
  platform?: NodeJS.Platform;
}

/** The places a page may not read, before their real paths are resolved. */
export function protectedPlaces({ dataDir, home, platform = process.platform }: PolicyInput): ProtectedPlace[] {
  const path = platform === 'win32' ? win32 : posix;
  const places: ProtectedPlace[] = [{ path: path.resolve(dataDir), what: "Ferry's data directory" }];
  if (platform !== 'win32') {
    for (const system of ['/proc', '/sys', '/dev']) places.push({ path: system, what: `${system} (system files)` });
  }
  const inHome: [string, string][] = [
    ['.ssh', 'SSH keys'],
    ['.aws', 'AWS credentials'],
    ['.gnupg', 'GnuPG keys'],
    [path.join('.config', 'Ferry'), "Ferry's settings"],
    [path.join('.local', 'share', 'keyrings'), 'the keyring'],
    [path.join('Library', 'Keychains'), 'the keychain'],
  ];
  for (const [relative, what] of inHome)
    places.push({ path: path.join(home, relative), what: `${what} (~/${relative.replaceAll('\\', '/')})` });
  return places;
}

/** Whether `child` is `parent` or inside it (both absolute and normalised). */
export function isInside(child: string, parent: string, platform: NodeJS.Platform = process.platform): boolean {
  const path = platform === 'win32' ? win32 : posix;
  const fold = (p: string) => (platform === 'win32' || platform === 'darwin' ? p.toLowerCase() : p);
  const relative = path.relative(fold(parent), fold(child));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Why the page may not read `realPath` (already resolved), or null when it may. */
export function refusal(realPath: string, places: readonly ProtectedPlace[], platform: NodeJS.Platform = process.platform): string | null {
  for (const place of places) if (isInside(realPath, place.path, platform)) return `it is in ${place.what}`;
  return null;
}

/** Why `given` is not a path a page may name (relative, empty, NUL), or null when it is acceptable. */
export function shapeRefusal(given: string, platform: NodeJS.Platform = process.platform): string | null {
  const path = platform === 'win32' ? win32 : posix;
  if (given.includes('\0')) return 'it contains a NUL character';
  if (!path.isAbsolute(given)) return 'it is not an absolute path';
  return null;
}
