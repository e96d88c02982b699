// Builds the desktop shell with esbuild (npm run build runs it after vite builds the window):
//   main/electron/main.ts    -> dist/electron/main.cjs     Electron's main process, with everything it
//                                                          imports from main/, shared/ and node_modules
//   main/electron/preload.ts -> dist/electron/preload.cjs  the sandboxed preload: one CommonJS file
// The main bundle includes its npm dependencies (the AWS SDK, zod): the packaged app then needs no
// node_modules at all (electron-builder.yml leaves them out), it loads one file from app.asar instead
// of hundreds, and nothing the CLI or the browser host needs (commander, ws, react…) ships in it.
// Left outside: `electron` and Node's built-ins (node:sqlite is built into Electron's Node).
// The build fails if anything else would be required at run time.
// The preload gets the contract's command and event names as literals (main/electron/contractNames.ts
// is replaced), computed here from shared/contract.ts: the names without zod and the schemas.
import { build } from 'esbuild';
import { builtinModules } from 'node:module';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** COMMAND_NAMES and EVENT_NAMES of shared/contract.ts, read by bundling and running it (any Node version). */
async function contractNames() {
  const { outputFiles } = await build({
    absWorkingDir: root,
    entryPoints: ['shared/contract.ts'],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    write: false,
    logLevel: 'silent',
  });
  const module = { exports: {} };
  new Function('module', 'exports', outputFiles[0].text)(module, module.exports);
  return module.exports;
}
const { COMMAND_NAMES, EVENT_NAMES } = await contractNames();
const outdir = `${root}dist/electron`;
const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`), 'node:sqlite']);

/** The imports a bundle leaves to run time, per the metafile. */
function externalImports(metafile) {
  const external = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const entry of output.imports) if (entry.external) external.add(entry.path);
  }
  return [...external];
}

/** Serves main/electron/contractNames.ts to the preload bundle as two literal arrays. */
const contractNamesAsLiterals = {
  name: 'contract-names-as-literals',
  setup(builder) {
    builder.onResolve({ filter: /\/contractNames\.ts$/ }, (args) => ({ path: args.path, namespace: 'contract-names' }));
    builder.onLoad({ filter: /.*/, namespace: 'contract-names' }, () => ({
      contents: `export const COMMAND_NAMES = ${JSON.stringify(COMMAND_NAMES)};\nexport const EVENT_NAMES = ${JSON.stringify(EVENT_NAMES)};\n`,
      loader: 'js',
    }));
  },
};

/**
 * Serves main/engine/version.ts to the main bundle as a literal: its `import.meta.url` would be empty in
 * a CommonJS bundle (main.cjs then failed to load), and inside app.asar package.json is not where the
 * source file looks for it. The version is the one of the package.json being built.
 */
const versionAsLiteral = {
  name: 'version-as-literal',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]main[\\/]engine[\\/]version\.ts$/ }, () => ({
      contents: `export const VERSION = ${JSON.stringify(JSON.parse(readFileSync(`${root}package.json`, 'utf8')).version)};\n`,
      loader: 'ts',
    }));
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  format: 'cjs',
  metafile: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
};

rmSync(outdir, { recursive: true, force: true });

const [main, preload] = await Promise.all([
  build({
    ...common,
    entryPoints: ['main/electron/main.ts'],
    outfile: `${outdir}/main.cjs`,
    platform: 'node',
    target: 'node22',
    external: ['electron', 'node:sqlite'],
    // the AWS SDK picks its Node builds by these conditions
    conditions: ['node'],
    mainFields: ['main', 'module'],
    plugins: [versionAsLiteral],
  }),
  build({
    ...common,
    entryPoints: ['main/electron/preload.ts'],
    outfile: `${outdir}/preload.cjs`,
    // a sandboxed preload has no Node: the browser platform makes any Node import a build error
    platform: 'browser',
    target: 'chrome130',
    external: ['electron'],
    plugins: [contractNamesAsLiterals],
  }),
]);

const problems = [];
for (const path of externalImports(main.metafile))
  if (path !== 'electron' && !builtins.has(path)) problems.push(`main.cjs requires ${path} at run time`);
for (const path of externalImports(preload.metafile)) if (path !== 'electron') problems.push(`preload.cjs requires ${path} at run time`);
if (problems.length > 0) {
  console.error(`build-electron: the bundles must be self-contained:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

/**
 * The licence of every npm package inside main.cjs, in one file beside it (the packages' own LICENSE
 * files do not ship, as node_modules does not; Apache-2.0 and MIT ask for the text to come along).
 */
function writeThirdPartyLicenses(metafile, file) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = [...input.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].pop();
    if (match) packages.set(input.slice(0, match.index + match[0].length), match[1]);
  }
  // one copy of each distinct text, after the packages it covers
  const byText = new Map();
  for (const [dir, name] of [...packages].sort(([, a], [, b]) => a.localeCompare(b))) {
    const manifest = JSON.parse(readFileSync(`${root}${dir}/package.json`, 'utf8'));
    const licenseFile = readdirSync(`${root}${dir}`).find((entry) => /^licen[cs]e(\.(md|txt))?$/i.test(entry));
    const text = licenseFile
      ? readFileSync(`${root}${dir}/${licenseFile}`, 'utf8').trim()
      : `${manifest.license ?? 'UNKNOWN'} (the package ships no licence file)`;
    byText.set(text, [...(byText.get(text) ?? []), `${name}@${manifest.version}`]);
  }
  const sections = [...byText].map(([text, names]) => `${names.join('\n')}\n${'-'.repeat(40)}\n${text}\n`);
  writeFileSync(file, `Third-party software bundled in main.cjs\n\n${sections.join('\n\n')}`);
  return packages.size;
}
const licensed = writeThirdPartyLicenses(main.metafile, `${outdir}/THIRD_PARTY_LICENSES.txt`);
if (!existsSync(`${outdir}/preload.cjs`)) throw new Error('build-electron: preload.cjs was not written');

const size = (metafile, file) => (metafile.outputs[`dist/electron/${file}`]?.bytes ?? 0) / 1024;
console.log(
  `build-electron: dist/electron/main.cjs ${size(main.metafile, 'main.cjs').toFixed(0)} KiB, dist/electron/preload.cjs ${size(preload.metafile, 'preload.cjs').toFixed(0)} KiB; ${licensed} bundled packages' licences in THIRD_PARTY_LICENSES.txt`,
);
