#!/usr/bin/env node
// The `ferry` command. It runs the build of the CLI (dist/cli/main.mjs and its chunks, made by npm run build)
// when that build is newer than every source file it was made from, else the TypeScript sources
// directly (Node >= 22.18 strips the types): an edited checkout never runs stale code.
// FERRY_FROM_SOURCE=1 forces the sources.
import { readFileSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { freshBundle } from './bundleFresh.js';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`ferry: needs Node.js 22.18 or later (this is ${process.version}). In a checkout, run it as: npx ferry ...\n`);
  process.exit(2);
}
// `ferry --version` alone needs nothing but package.json (the version main/engine/version.ts reads too): loading
// the CLI for it cost ~0.2 CPU-seconds, about ten times what Node's own start costs (issue #14, start-up)
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n`);
  process.exit(0);
}
// V8's compiled code cached on disk across runs, beside the build (not in the temporary directory,
// which this would create when it is missing): a warm start compiles nothing. Best effort: a
// read-only install simply runs without it.
try {
  module.enableCompileCache?.(fileURLToPath(new URL('../dist/cli/compile-cache', import.meta.url)));
} catch {
  // no cache: only slower
}
// node:sqlite prints an ExperimentalWarning at load: not the user's concern
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'ExperimentalWarning') return;
  return emitWarning.call(process, warning, ...rest);
};

const bundle = process.env.FERRY_FROM_SOURCE ? null : freshBundle(new URL('..', import.meta.url));
const { main } = await import(bundle ?? '../main/cli/main.ts');
const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
process.exitCode = code;
