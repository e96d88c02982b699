// The browser host in a process of its own, for the tests that try to knock it over (a crash there
// must not take the test runner with it). Usage: node hostProcess.ts DATA_DIR RENDERER_DIR.
// Prints {"port":N,"link":URL} once listening, and {"link":URL} for every line read on stdin.
import { createInterface } from 'node:readline';
import { HostService } from '../../main/host/service.ts';
import { hostVaults } from '../../main/endpoints/keychain.ts';
import { startWebHost } from '../../main/web/server.ts';

const [dataDir, rendererDir] = process.argv.slice(2) as [string, string];
const service = await HostService.open({
  dataDir,
  vault: hostVaults(dataDir, {}).vault,
  host: { kind: 'browser', version: 'test', canReadPaths: false },
});
const host = await startWebHost({ service, rendererDir });
process.stdout.write(`${JSON.stringify({ port: host.port, link: host.newLink().url })}\n`);
createInterface({ input: process.stdin }).on('line', () => process.stdout.write(`${JSON.stringify({ link: host.newLink().url })}\n`));
process.once('SIGTERM', () => {
  void host
    .close()
    .then(() => service.close())
    .then(() => process.exit(0));
});
