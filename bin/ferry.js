#!/usr/bin/env node
// The `ferry` command. Ferry runs its TypeScript sources directly on Node >= 22.18 (type stripping).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`ferry: needs Node.js 22.18 or later (this is ${process.version}). In a checkout, run it as: npx ferry ...\n`);
  process.exit(2);
}
// node:sqlite prints an ExperimentalWarning at load: not the user's concern
const emitWarning = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type;
  if (type === 'ExperimentalWarning') return;
  return emitWarning.call(process, warning, ...rest);
};
const { main } = await import('../main/cli/main.ts');
const code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });
process.exitCode = code;
