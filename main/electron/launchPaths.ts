/**
 * Files handed to Ferry from outside: paths on the command line of a launch (a file manager's "Open
 * with", a second launch while Ferry runs), or macOS's open-file. They reach the window as the
 * contract's `pathsOpened` event once it can take them.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/**
 * The file paths in a launch's argv. The executable (and, when run as `electron <app>`, the app's
 * path) comes first; switches are left out, including those Chromium adds to a second instance's argv.
 * Relative paths are resolved against the launch's working directory; paths that do not exist are dropped.
 */
export function pathsFromArgv(argv: readonly string[], workingDirectory: string, options: { defaultApp: boolean }): string[] {
  const args = argv.slice(options.defaultApp ? 2 : 1);
  const paths: string[] = [];
  for (const arg of args) {
    if (arg === '' || arg.startsWith('-')) continue;
    const path = isAbsolute(arg) ? arg : resolve(workingDirectory, arg);
    if (existsSync(path) && !paths.includes(path)) paths.push(path);
  }
  return paths;
}

/**
 * Holds paths until the window can take them, then hands them over in one batch. `deliver` returns
 * false while the window cannot take them (not loaded yet, or gone).
 */
export class PathHandOff {
  readonly #pending: string[] = [];
  readonly #deliver: (paths: string[]) => boolean;

  constructor(deliver: (paths: string[]) => boolean) {
    this.#deliver = deliver;
  }

  /** Paths arrived: delivered now if the window can take them, else kept. */
  add(paths: readonly string[]): void {
    for (const path of paths) if (!this.#pending.includes(path)) this.#pending.push(path);
    this.flush();
  }

  /** The window can take paths (it loaded): delivers what is waiting. */
  flush(): void {
    if (this.#pending.length === 0) return;
    if (this.#deliver([...this.#pending])) this.#pending.length = 0;
  }
}
