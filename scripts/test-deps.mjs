// Runs first in `npm test`: makes sure the system packages the tests need are installed (Ceph RGW, Chromium,
// GNOME Keyring and D-Bus for the keychain tests).
//
// The integration tests start a real S3 server (Ceph RGW, test/harness/rgw.ts) unless FERRY_TEST_S3_ENDPOINT
// names another one. Missing packages are installed when this runs as root on a machine with apt-get (CI);
// otherwise this prints exactly what to run and fails. Plain Node, no dependencies.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** Ceph RGW, the S3 server the integration and end-to-end tests start (unless FERRY_TEST_S3_ENDPOINT names one). */
const RGW_PACKAGES = ['radosgw', 'ceph-mon', 'ceph-osd', 'ceph-common', 'uuid-runtime', 'curl'];
const RGW_COMMANDS = ['radosgw', 'ceph-mon', 'ceph-osd', 'radosgw-admin', 'monmaptool', 'uuidgen', 'curl'];
/** Debian's Chromium, the browser of the end-to-end tests (Playwright's own download does not work offline). */
const BROWSER_PACKAGES = ['chromium'];
const BROWSER_COMMANDS = ['chromium'];
/** A real OS keychain for test/security (GNOME Keyring's Secret Service on a private session bus), and useradd. */
const KEYCHAIN_PACKAGES = ['gnome-keyring', 'dbus', 'libsecret-tools'];
const KEYCHAIN_COMMANDS = ['gnome-keyring-daemon', 'dbus-run-session', 'secret-tool', 'useradd'];

const APT_PACKAGES = [...(process.env.FERRY_TEST_S3_ENDPOINT ? [] : RGW_PACKAGES), ...BROWSER_PACKAGES, ...KEYCHAIN_PACKAGES];
const REQUIRED_COMMANDS = [
  ...(process.env.FERRY_TEST_S3_ENDPOINT ? [] : RGW_COMMANDS),
  ...(process.env.FERRY_CHROMIUM ? [] : BROWSER_COMMANDS),
  ...KEYCHAIN_COMMANDS,
];
const APT_INSTALL_ARGS = ['install', '-y', '--no-install-recommends', ...APT_PACKAGES];
const OTHER_SERVER =
  'or run the tests against another S3-compatible server (e.g. MinIO; the key must be allowed to create buckets):\n' +
  '  FERRY_TEST_S3_ENDPOINT=http://127.0.0.1:9000 FERRY_TEST_S3_ACCESS_KEY_ID=... FERRY_TEST_S3_SECRET_ACCESS_KEY=... npm test';

function which(cmd) {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  // root's tools live in sbin, which a normal user's PATH often lacks
  for (const d of ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin']) if (!dirs.includes(d)) dirs.push(d);
  for (const d of dirs) {
    const file = path.join(d, cmd);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

const missingCommands = () => REQUIRED_COMMANDS.filter((c) => !which(c));

function aptGet(args) {
  console.log(`test-deps: apt-get ${args.join(' ')}`);
  const r = spawnSync('apt-get', args, {
    stdio: 'inherit', // stream apt's output
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.error) console.error(`test-deps: apt-get: ${r.error.message}`);
  return r.status === 0;
}

function main() {
  if (process.env.FERRY_TEST_S3_ENDPOINT) {
    console.log(`test-deps: the tests use FERRY_TEST_S3_ENDPOINT=${process.env.FERRY_TEST_S3_ENDPOINT}; Ceph RGW not needed`);
  }
  const missing = missingCommands();
  if (missing.length === 0) return 0;

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = which('apt-get') !== undefined;
  if (isRoot && hasApt) {
    console.log(`test-deps: missing ${missing.join(', ')}: installing ${APT_PACKAGES.join(' ')}`);
    // try without `apt-get update` first (fast when the package lists are fresh), with it if that fails
    const ok = aptGet(APT_INSTALL_ARGS) || (aptGet(['update']) && aptGet(APT_INSTALL_ARGS));
    const still = missingCommands();
    if (ok && still.length === 0) {
      console.log('test-deps: installed');
      return 0;
    }
    console.error(`test-deps: installing failed${still.length ? ` (still missing: ${still.join(', ')})` : ''}.`);
    console.error(
      `Run it yourself:\n  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get ${APT_INSTALL_ARGS.join(' ')}\n${OTHER_SERVER}`,
    );
    return 1;
  }

  console.error(
    `test-deps: the tests need a real S3 server (Ceph RGW) and Chromium, and ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not installed.`,
  );
  if (hasApt) {
    console.error(
      `Install it:\n  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get ${APT_INSTALL_ARGS.join(' ')}\n${OTHER_SERVER}`,
    );
  } else {
    console.error(
      `Ceph RGW is installed from Debian/Ubuntu packages (${APT_PACKAGES.join(' ')}); this machine has no apt-get.\n` +
        `Run the tests in a Debian/Ubuntu machine or container, ${OTHER_SERVER}`,
    );
  }
  return 1;
}

process.exitCode = main();
