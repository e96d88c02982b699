// Builds the `ferry` command (npm run build runs it): main/cli/main.ts -> dist/cli/main.mjs, with the
// modules only some commands need in chunks beside it (loaded when such a command runs).
// Why: started from the TypeScript sources, every `ferry` call resolves and type-strips about 500
// modules (ours and the AWS SDK's) before it does anything: 0.6-0.8 CPU-seconds for `ferry --version`
// or `ferry jobs`, most of a start-up. One pre-built ES module (with Node's compile cache, see
// bin/ferry.js) costs a quarter of that. The TypeScript sources stay the sources: bin/ferry.js runs them
// whenever the bundle is missing or older than any file it was built from (dist/cli/inputs.json).
// Left outside the bundle: Node's built-ins and packages with native binaries (@napi-rs/keyring).
import { build } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist', 'cli');
const outfile = join(outdir, 'main.mjs');

/**
 * Our files that find things next to themselves (`new URL('../../package.json', import.meta.url)`):
 * inside the bundle, import.meta.url is the bundle's, so each file's own URL is put back in its place.
 */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(builder) {
    builder.onLoad({ filter: /[\\/](main|shared)[\\/].*\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromBundle = relative(outdir, args.path).split('\\').join('/');
      return {
        contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`),
        loader: 'ts',
      };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'main/cli/main.ts' },
  outdir,
  // each command's module (main.ts imports them when they run) and what only they use in chunks of
  // their own: `ferry jobs` loads neither the AWS SDK nor the uploader (issue #14, start-up)
  splitting: true,
  // beside main.mjs: the paths own-import-meta-url writes are relative to dist/cli
  chunkNames: '[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  conditions: ['node'],
  mainFields: ['module', 'main'],
  external: ['@napi-rs/keyring', 'node:sqlite'],
  // CommonJS packages inside an ES module bundle still call require() for Node's built-ins
  banner: { js: "import { createRequire as __ferryRequire } from 'node:module'; const require = __ferryRequire(import.meta.url);" },
  plugins: [ownImportMetaUrl],
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

// the files the bundle was built from, outside node_modules: bin/ferry.js runs the sources when one is newer
const inputs = Object.keys(result.metafile.inputs)
  .filter((input) => !input.includes('node_modules') && !input.includes(':'))
  .map((input) => relative(root, join(root, input)).split('\\').join('/'))
  .sort();
writeFileSync(join(outdir, 'inputs.json'), `${JSON.stringify({ inputs: [...inputs, 'package.json'] }, null, 1)}\n`);
console.log(`build-cli: ${relative(root, outfile)} from ${inputs.length} source files (${dirname(relative(root, outfile))})`);
