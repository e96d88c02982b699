// Stopping a benchmark with a signal (Ctrl-C, kill, a CI timeout). Node's default for SIGINT and SIGTERM
// ends the process at once and no finally runs: what the benchmark started stayed behind (Ceph RGW and
// its directory, an OSD file of up to 40 GiB; a server; a browser), and so did its work directory, and
// the next run refused to start for lack of space (46 GiB found on 2026-12-02).

let signalled = false;

/**
 * Whether SIGINT or SIGTERM came and a clean-up of cleanUpOnSignal's is under way: what fails from then
 * on fails because its server is being stopped, and is not the benchmark's failure to report.
 */
export function stopping(): boolean {
  return signalled;
}

/**
 * Until the returned function is called: on SIGINT or SIGTERM, logs `${signal}: ${what}`, runs `cleanup`
 * and exits 130 (SIGINT) or 143 (SIGTERM), as a shell reports a process ended by the signal. A second
 * signal during the clean-up ends the process at once (Node's default), for a clean-up that hangs.
 */
export function cleanUpOnSignal(what: string, cleanup: () => Promise<void>, log: (msg: string) => void): () => void {
  const off = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  function onSignal(signal: NodeJS.Signals): void {
    off();
    log(`${signal}: ${what}`);
    signalled = true;
    void cleanup()
      .catch((error: unknown) => log(`${signal}: the clean-up failed: ${(error as Error).message}`))
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return off;
}
