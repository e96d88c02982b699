// Whether the one-file build of the CLI (dist/cli/main.mjs, npm run build) may run in place of the
// TypeScript sources: it exists and no file it was built from (dist/cli/inputs.json) changed since.
// bin/ferry.js asks at every start (so this stays small: node:fs only), and the benchmark asks it of the
// build it measures (bench/lib/tools.ts): an edited checkout never runs, or is measured as, stale code.
import { existsSync, readFileSync, statSync } from 'node:fs';

/**
 * The bundle's URL if it exists and no file it was built from is newer, else null.
 * @param {URL} root the checkout or install: the directory holding dist/ and bin/ (a URL ending in '/')
 * @returns {string | null}
 */
export function freshBundle(root) {
  const bundle = new URL('dist/cli/main.mjs', root);
  try {
    if (!existsSync(bundle)) return null;
    const built = statSync(bundle).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(new URL('dist/cli/inputs.json', root), 'utf8'));
    for (const input of inputs) if (statSync(new URL(input, root)).mtimeMs > built) return null;
    return bundle.href;
  } catch {
    return null; // a source moved or the list is unreadable: the sources are the truth
  }
}
