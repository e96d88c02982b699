// npm start: builds (npm run build), then runs the desktop app (`electron .`). Where the Electron
// binary is not installed and cannot be fetched (no network: scripts/electronBinary.ts decides
// without hanging), it says so in one line and runs the browser host instead (`ferry serve --open`:
// the same window in the system browser, or its URL printed). Arguments after `npm start --` go to
// the app (files to upload). Ctrl-C/SIGTERM reach the app once and it stops as it does from its menu.
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `npm start needs Node.js 22.18 or later (this is ${process.version}): run it as \`npm start\` in the checkout (Node 22 is pinned there).\n`,
  );
  process.exit(2);
}

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);

/** Runs `command`, relaying SIGINT/SIGTERM/SIGHUP to it once, and exits as it exits. */
function runRelayingSignals(command, commandArgs) {
  // Its own process group (POSIX): a terminal's Ctrl-C reaches only this process, which relays it
  // once; otherwise the child would get it twice (from the terminal and from here), and a second
  // Ctrl-C means "stop at once" to Ferry.
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit', detached: process.platform !== 'win32' });
  let relayedAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      // npm relays the terminal's signal to us as well: one Ctrl-C arrives twice within milliseconds
      if (Date.now() - relayedAt < 1000 || child.exitCode !== null) return;
      relayedAt = Date.now();
      if (process.platform !== 'win32') child.kill(signal);
    });
  }
  child.on('error', (error) => {
    console.error(`ferry: cannot run ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));
}

const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
const built = spawnSync(npm[0], [...npm[1], 'run', 'build'], {
  cwd: root,
  stdio: 'inherit',
  shell: process.platform === 'win32' && !process.env.npm_execpath,
});
if (built.status !== 0) process.exit(built.status ?? 1);

const { ensureElectron } = await import('./electronBinary.ts');
const electron = await ensureElectron(root);
if (electron.installed) {
  runRelayingSignals(electron.path, ['.', ...args]);
} else {
  const why =
    electron.tried === 'unreachable'
      ? `cannot be downloaded here (${new URL(electron.url).host} does not answer)`
      : 'could not be installed';
  console.error(
    `ferry: the Electron ${electron.version} binary is not installed (${electron.path}) and ${why}: get it with \`npx install-electron\` on a network that reaches it (or set ELECTRON_MIRROR, or ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron), then \`npm start\` again; starting the browser host instead.`,
  );
  runRelayingSignals(process.execPath, [fileURLToPath(new URL('../bin/ferry.js', import.meta.url)), 'serve', '--open']);
}
