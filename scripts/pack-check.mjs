// npm run pack:check: checks the packaging (electron-builder.yml) offline, on the current build.
// electron-builder packs the app for Linux into a directory (--dir) around a stub Electron made in a
// temporary directory (-c.electronDist), so nothing is downloaded. The stub is a shell script carrying
// Electron's fuse wire (the sentinel and eight fuse bytes in Electron's default states), so the fuse
// flipping runs for real. Then this checks:
//   - app.asar holds the allowlist and nothing else: package.json, dist/electron/{main,preload}.cjs and
//     the licences, dist/renderer (no source maps, no node_modules, no test/, bench/, sources…);
//   - the packed package.json's "main" is in the archive, and the packed main.cjs loads on its own
//     (in this Node, outside the project, with a stub `electron`): it ships without node_modules;
//   - the executable's fuses are as electron-builder.yml says.
// Fails loudly (exit 1) with what is wrong. `--keep` keeps the temporary directory.
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  closeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const keep = process.argv.includes('--keep');

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// @electron/fuses' V1 wire, in order; '1' enabled, '0' disabled
const FUSES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
];
const ELECTRON_DEFAULTS = '10110001';
const EXPECTED_FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
};

/** What app.asar may hold (paths relative to its root). */
const ALLOWED = [
  /^package\.json$/,
  /^dist\/electron\/(main|preload)\.cjs$/,
  /^dist\/electron\/THIRD_PARTY_LICENSES\.txt$/,
  /^dist\/renderer\/.+\.(html|js|css|svg|png|ico|webp|woff2?|json|webmanifest)$/,
];
const REQUIRED = ['package.json', 'dist/electron/main.cjs', 'dist/electron/preload.cjs', 'dist/renderer/index.html'];

const problems = [];
function fail(message) {
  console.error(`pack:check FAILED: ${message}`);
  process.exit(1);
}

for (const file of REQUIRED.slice(1)) if (!existsSync(join(root, file))) fail(`${file} is missing: run \`npm run build\` first.`);

// ---- a stub Electron: a script with the fuse wire, in Electron's default states ----
const work = mkdtempSync(join(tmpdir(), 'ferry-pack-check-'));
const stub = join(work, 'electron-stub');
mkdirSync(join(stub, 'resources'), { recursive: true });
const wire = Buffer.from([1, FUSES.length, ...[...ELECTRON_DEFAULTS].map((c) => c.charCodeAt(0))]);
writeFileSync(
  join(stub, 'electron'),
  Buffer.concat([
    Buffer.from('#!/bin/sh\necho "stub Electron for pack:check" >&2\nexit 1\n# '),
    Buffer.from(SENTINEL),
    wire,
    Buffer.from('\n'),
  ]),
  { mode: 0o755 },
);
writeFileSync(join(stub, 'version'), JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')).version);
writeFileSync(join(stub, 'LICENSE'), 'Stub for pack:check.\n');

// ---- electron-builder --dir --linux around it ----
const out = join(work, 'out');
const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
const started = Date.now();
const builder = spawnSync(
  process.execPath,
  [
    require.resolve('electron-builder/cli.js'),
    '--dir',
    '--linux',
    `--${arch}`,
    '--publish',
    'never',
    `-c.electronDist=${stub}`,
    `-c.directories.output=${out}`,
  ],
  {
    cwd: root,
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
  },
);
if (builder.status !== 0) {
  console.error(builder.stdout, builder.stderr);
  fail(`electron-builder exited with ${builder.status ?? builder.signal}${builder.error ? ` (${builder.error.message})` : ''}.`);
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);

const unpacked = join(out, arch === 'x64' ? 'linux-unpacked' : `linux-${arch}-unpacked`);
const asarPath = join(unpacked, 'resources', 'app.asar');
if (!existsSync(asarPath)) fail(`no ${asarPath}: electron-builder did not produce the unpacked app with an app.asar.`);
if (existsSync(join(unpacked, 'resources', 'app')))
  problems.push('resources/app/ exists beside app.asar (OnlyLoadAppFromAsar would ignore it)');

// ---- app.asar: header (a Chromium pickle: [4][header size][payload size][json length][json]) ----
const fd = openSync(asarPath, 'r');
const head = Buffer.alloc(16);
readSync(fd, head, 0, 16, 0);
const headerSize = head.readUInt32LE(4);
const json = Buffer.alloc(head.readUInt32LE(12));
readSync(fd, json, 0, json.length, 16);
const header = JSON.parse(json.toString('utf8'));
const files = new Map();
(function walk(node, prefix) {
  for (const [name, entry] of Object.entries(node.files ?? {})) {
    const path = prefix ? `${prefix}/${name}` : name;
    if (entry.files) walk(entry, path);
    else files.set(path, entry);
  }
})(header, '');
function readPacked(path) {
  const entry = files.get(path);
  if (entry.unpacked) return readFileSync(join(unpacked, 'resources', 'app.asar.unpacked', path));
  const data = Buffer.alloc(entry.size);
  readSync(fd, data, 0, entry.size, 8 + headerSize + Number(entry.offset));
  return data;
}

for (const path of files.keys()) {
  if (!ALLOWED.some((pattern) => pattern.test(path))) problems.push(`app.asar holds ${path}, which is not on the allowlist`);
}
for (const path of REQUIRED) if (!files.has(path)) problems.push(`app.asar lacks ${path}`);
if (![...files.keys()].some((path) => /^dist\/renderer\/assets\/.+\.js$/.test(path)))
  problems.push("app.asar lacks the window's script (dist/renderer/assets/*.js)");

if (files.has('package.json')) {
  const manifest = JSON.parse(readPacked('package.json').toString('utf8'));
  if (!files.has(manifest.main ?? '')) problems.push(`the packed package.json's main (${manifest.main}) is not in app.asar`);
  if (manifest.productName !== 'Ferry') problems.push(`productName is ${manifest.productName}, not Ferry (the data directory follows it)`);
}
if (files.has('dist/electron/main.cjs')) {
  // Load the packed main.cjs in Node, from the temporary directory (no node_modules above it), with a
  // stub `electron` whose single-instance lock is taken: the bundle's every require must resolve, and
  // it must reach startFerry's early quit.
  const probe = join(work, 'probe');
  mkdirSync(probe);
  writeFileSync(join(probe, 'main.cjs'), readPacked('dist/electron/main.cjs'));
  const loader = `
    const Module = require('node:module');
    const load = Module._load;
    let quits = 0;
    const electron = { app: { setPath() {}, requestSingleInstanceLock: () => false, quit: () => { quits += 1; } }, protocol: { registerSchemesAsPrivileged() {} } };
    Module._load = function (request, ...rest) { return request === 'electron' ? electron : load.call(this, request, ...rest); };
    require('./main.cjs');
    if (quits !== 1) { console.error('main.cjs loaded but did not quit on a taken instance lock'); process.exit(1); }`;
  const loaded = spawnSync(process.execPath, ['-e', loader], {
    cwd: probe,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, FERRY_DATA_DIR: '' },
  });
  if (loaded.status !== 0) {
    const missing = /Cannot find module '([^']+)'/.exec(loaded.stderr)?.[1];
    if (missing) problems.push(`the packed main.cjs requires ${missing}, which does not ship`);
    else if (loaded.stderr.includes('ERR_UNKNOWN_BUILTIN_MODULE'))
      problems.push(
        `Node ${process.version} lacks node:sqlite, so the packed main.cjs cannot be loaded to check it: run \`npm run pack:check\` (Node 22)`,
      );
    else problems.push(`the packed main.cjs does not load: ${loaded.stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
  }
}
closeSync(fd);

// ---- the fuses of the packed executable ----
const executable = readdirSync(unpacked)
  .map((name) => join(unpacked, name))
  .find((path) => statSync(path).isFile() && readFileSync(path).includes(SENTINEL));
let fuseLine = '';
if (!executable) problems.push('no executable with a fuse wire in the unpacked app');
else {
  const binary = readFileSync(executable);
  const at = binary.indexOf(SENTINEL) + SENTINEL.length;
  const states = [...binary.subarray(at + 2, at + 2 + binary[at + 1])].map((byte) => String.fromCharCode(byte));
  fuseLine = FUSES.map((fuse, index) => `${fuse}=${states[index] === '1' ? 'on' : 'off'}`).join(' ');
  FUSES.forEach((fuse, index) => {
    if ((states[index] === '1') !== EXPECTED_FUSES[fuse])
      problems.push(`fuse ${fuse} is ${states[index] === '1' ? 'on' : 'off'}, expected ${EXPECTED_FUSES[fuse] ? 'on' : 'off'}`);
  });
}

const asarKiB = statSync(asarPath).size / 1024;
if (!keep) rmSync(work, { recursive: true, force: true });
if (problems.length > 0) fail(`\n  - ${problems.join('\n  - ')}${keep ? `\n(kept ${work})` : ''}`);
console.log(
  `pack:check OK: electron-builder --dir --linux (${arch}) in ${seconds} s with a stub Electron; app.asar (${asarKiB.toFixed(0)} KiB) holds ${files.size} files, all on the allowlist:`,
);
for (const path of [...files.keys()].sort()) console.log(`  ${path} (${(files.get(path).size / 1024).toFixed(1)} KiB)`);
console.log(`  fuses of ${executable?.slice(unpacked.length + 1)}: ${fuseLine}${keep ? `\n  kept ${work}` : ''}`);
