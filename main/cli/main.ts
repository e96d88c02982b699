/**
 * The `ferry` command: the engine's headless host. The CLI contract (commands, flags, `--json`
 * shapes and exit codes) is documented in README.md; other tools drive it, so keep to it.
 */
import { Command, CommanderError, Option } from 'commander';
import { resolveDataDir } from './dataDir.ts';
import type { Context } from './context.ts';
import { EXIT, reportError, type Io } from './output.ts';
import { VERSION } from '../engine/version.ts';

// Each command's module is loaded when that command runs, not at every start: `ferry jobs` does not
// load the AWS SDK, the uploader or the browser host (issue #14, start-up). The bundle
// (scripts/build-cli.mjs) keeps these as separate chunks.
const endpointCommands = () => import('./commands/endpoint.ts');
const transferCommands = () => import('./commands/transfer.ts');
const jobCommands = () => import('./commands/jobs.ts');

/** Collects a repeatable option's values. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('ferry')
    .description('Resumable multipart uploads to Amazon S3 and S3-compatible storage.')
    .version(VERSION, '-V, --version')
    .option('--data-dir <dir>', 'where Ferry keeps jobs and endpoints (env FERRY_DATA_DIR; default: the app-data directory)')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });

  const ctx = (): Context => ({ io, dataDir: resolveDataDir(program.opts<{ dataDir?: string }>().dataDir, io.env) });
  const action =
    <A extends unknown[]>(handler: (...args: A) => number | Promise<number>) =>
    async (...args: A) => {
      exitCode = await handler(...args);
    };

  const endpoint = program.command('endpoint').description('manage S3 endpoints and their credentials');
  endpoint
    .command('add <name>')
    .description('add an endpoint (the secret from --secret-stdin or env FERRY_SECRET_ACCESS_KEY)')
    .option('--url <url>', 'the S3 endpoint URL, e.g. https://s3.eu-west-1.amazonaws.com')
    .option('--region <region>', 'the signing region (default from the provider, else us-east-1)')
    .option('--path-style', 'path-style addressing (https://host/bucket/key)')
    .option('--virtual-hosted', 'virtual-hosted addressing (https://bucket.host/key)')
    .addOption(new Option('--checksums <policy>', 'when the SDK adds flexible checksums').choices(['when-supported', 'when-required']))
    .option('--access-key-id <id>', 'the access key ID')
    .option('--secret-stdin', 'read the secret access key from standard input (a hidden prompt on a terminal)')
    .option('--aws-profile <profile>', 'use a profile from ~/.aws/config (SSO and credential_process included); referenced, not copied')
    .option('--ca-file <path>', 'trust the certificate authorities in this PEM file for this endpoint (a private CA)')
    .option('--replace', 'replace an endpoint of the same name')
    .option('--default-storage-class <class>', 'uploads to this endpoint use this storage class unless they say otherwise')
    .option('--default-sse <mode>', 'default server-side encryption: AES256 or aws:kms')
    .option('--default-sse-kms-key-id <id>', 'default KMS key for aws:kms')
    .option('--default-acl <canned>', 'default canned ACL')
    .option('--default-cache-control <value>', 'default Cache-Control')
    .option('--default-if-exists <mode>', 'default for --if-exists')
    .action(action(async (name: string, options) => (await endpointCommands()).endpointAdd(ctx(), name, options)));
  endpoint
    .command('list')
    .description('list endpoints (never their secrets)')
    .option('--json', 'JSON output')
    .action(action(async (options: { json?: boolean }) => (await endpointCommands()).endpointList(ctx(), options)));
  endpoint
    .command('test <name>')
    .description('check that the endpoint answers and accepts the credentials; measure clock skew')
    .option('--bucket <bucket>', 'also check this bucket (exists, right region)')
    .option('--json', 'JSON output')
    .action(
      action(async (name: string, options: { bucket?: string; json?: boolean }) =>
        (await endpointCommands()).endpointTest(ctx(), name, options),
      ),
    );
  endpoint
    .command('edit <name>')
    .description('change an endpoint; what is not given stays (the secret too). Its jobs keep using it')
    .option('--name <new>', 'a new name')
    .option('--url <url>', 'a new URL (needs the credentials again: --secret-stdin)')
    .option('--region <region>', 'the signing region')
    .option('--path-style', 'path-style addressing (https://host/bucket/key)')
    .option('--virtual-hosted', 'virtual-hosted addressing (https://bucket.host/key)')
    .addOption(new Option('--checksums <policy>', 'when the SDK adds flexible checksums').choices(['when-supported', 'when-required']))
    .option('--access-key-id <id>', 'a new access key ID (the secret from --secret-stdin or FERRY_SECRET_ACCESS_KEY)')
    .option('--secret-stdin', 'a new secret access key from standard input (a hidden prompt on a terminal)')
    .option('--aws-profile <profile>', 'use a profile from ~/.aws/config instead')
    .option('--default-storage-class <class>', 'uploads to this endpoint use this storage class unless they say otherwise')
    .option('--default-sse <mode>', 'default server-side encryption: AES256 or aws:kms')
    .option('--default-sse-kms-key-id <id>', 'default KMS key for aws:kms')
    .option('--default-acl <canned>', 'default canned ACL')
    .option('--default-cache-control <value>', 'default Cache-Control')
    .option('--default-if-exists <mode>', 'default for --if-exists')
    .option(
      '--clear-default <name>',
      'remove an upload default: storage-class, sse, sse-kms-key-id, acl, cache-control, if-exists, or all; repeatable',
      collect,
      [],
    )
    .action(action(async (name: string, options) => (await endpointCommands()).endpointEdit(ctx(), name, options)));
  endpoint
    .command('remove <name>')
    .description('remove an endpoint and its stored secret')
    .option('--force', 'also when unfinished uploads use it: they are aborted and their parts deleted from the server')
    .action(action(async (name: string, options: { force?: boolean }) => (await endpointCommands()).endpointRemove(ctx(), name, options)));

  program
    .command('upload')
    .description('upload files or folders: ferry upload PATH... s3://BUCKET/KEY (or s3://BUCKET/PREFIX/) --endpoint NAME')
    .argument('<paths...>', 'files or folders, then the s3:// target')
    .requiredOption('--endpoint <name>', 'the endpoint to upload to')
    .option('--part-size <size>', 'part size, e.g. 16MiB (grown automatically for huge files)')
    .option('--concurrency <n>', 'parallel parts per file')
    .option('--detach', 'only queue the jobs; `ferry run` uploads them (ferry serve or the app, when it runs, uploads them itself)')
    .option('--content-type <type>', 'the Content-Type (default: guessed from the file name)')
    .option('--no-guess-mime-type', 'do not guess the content type (the server then uses its default)')
    .option('--cache-control <value>', 'the Cache-Control header')
    .option('--content-disposition <value>', 'the Content-Disposition header')
    .option('--content-encoding <value>', 'the Content-Encoding header')
    .option('--content-language <value>', 'the Content-Language header')
    .option('--expires <date>', 'the Expires header, e.g. 2030-01-01T00:00:00Z')
    .option('--metadata <key=value>', 'user metadata (x-amz-meta-*); repeatable', collect, [])
    .option('--tag <key=value>', 'an object tag; repeatable (at most 10)', collect, [])
    .option(
      '--storage-class <class>',
      'STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE, or any the server knows',
    )
    .option('--acl <canned>', 'private, public-read, public-read-write, authenticated-read, bucket-owner-read, bucket-owner-full-control')
    .option('--sse <mode>', 'server-side encryption: AES256 or aws:kms')
    .option('--sse-kms-key-id <id>', 'the KMS key for --sse aws:kms')
    .option('--sse-c-key-file <path>', 'SSE-C: a file holding a 32-byte key (kept sealed until the job ends, never printed)')
    .option('--if-exists <mode>', 'when the key exists: overwrite (default), skip, skip-identical, rename, fail')
    .option('--bwlimit <rate>', 'the bandwidth limit across all uploads, e.g. 10MiB/s')
    .option('--give-up-after <duration>', 'how long an outage may last before a job fails, e.g. 15m, 90s, 2h (default 15m)')
    .addHelpText(
      'after',
      '\nWhile ferry serve or the desktop app owns the data directory, the jobs go to it (they appear in its window) and this command follows them there; Ctrl-C pauses them there.',
    )
    .action(action(async (paths: string[], options) => (await transferCommands()).upload(ctx(), paths, options)));

  program
    .command('jobs')
    .description('list upload jobs')
    .option('--json', 'JSON output')
    .action(action(async (options: { json?: boolean }) => (await jobCommands()).listJobs(ctx(), options)));

  for (const [name, description] of [
    ['pause', 'pause jobs (parts already sent stay on the server)'],
    ['resume', 'queue paused jobs again (then: ferry run)'],
    ['abort', 'abort jobs and delete their parts from the server'],
    ['retry', 'queue failed jobs again (then: ferry run)'],
  ] as const) {
    const command = program
      .command(name)
      .description(description)
      .argument('[ids...]', 'job ids (or unique prefixes) from ferry jobs')
      .option('--all', 'every job this applies to');
    if (name === 'retry') {
      command.option('--restart', 'start over from the file as it is now (for a job that cannot be retried as is, e.g. the file changed)');
      command.option(
        '--changed-only',
        'the file changed: send only the parts that differ (an unfinished job keeps its upload; a completed one copies its unchanged parts on the server), now',
      );
    }
    command
      .addHelpText(
        'after',
        '\nWhile ferry upload, ferry run or ferry serve owns the data directory, the command goes to that process and acts there at once.',
      )
      .action(
        action(async (ids: string[], options: { all?: boolean; restart?: boolean; changedOnly?: boolean }) =>
          name === 'retry' && options.changedOnly
            ? (await import('./commands/changes.ts')).changedOnly(ctx(), ids, options)
            : (await jobCommands()).control(ctx(), name === 'retry' && options.restart ? 'restart' : name, ids, options),
        ),
      );
  }

  program
    .command('run')
    .description('upload every queued job, including those interrupted by a crash, until none is left')
    .option('--bwlimit <rate>', 'the bandwidth limit across all uploads, e.g. 10MiB/s')
    .option('--give-up-after <duration>', 'how long an outage may last before a job fails, e.g. 15m, 90s, 2h (default 15m)')
    .action(action(async (options: { bwlimit?: string; giveUpAfter?: string }) => (await transferCommands()).run(ctx(), options)));

  program
    .command('link <target>')
    .description('print a presigned download link for s3://BUCKET/KEY (at most 7 days)')
    .requiredOption('--endpoint <name>', 'the endpoint the object is on')
    .option('--expires <duration>', 'how long the link works, e.g. 7d, 12h, 30m (default and most: 7d)')
    .action(
      action(async (target: string, options: { endpoint: string; expires?: string }) =>
        (await import('./commands/link.ts')).link(ctx(), target, options),
      ),
    );

  program
    .command('limit <rate>')
    .description('change the bandwidth limit of the running ferry upload, run or serve at once: RATE (e.g. 10MiB/s) or off')
    .action(action(async (rate: string) => (await import('./commands/limit.ts')).limit(ctx(), rate)));

  program
    .command('orphans <endpoint> <target>')
    .description('list incomplete multipart uploads in s3://BUCKET[/PREFIX] and abort the ones chosen')
    .option('--abort <uploadIds...>', 'abort these uploads')
    .option('--abort-all', 'abort every listed upload not owned by a Ferry job')
    .option('--include-ferry-jobs', 'also abort uploads that belong to Ferry jobs')
    .option('--adopt <uploadId>', 'finish this incomplete upload (of s3://BUCKET/KEY) with --file: matching parts are kept')
    .option('--file <path>', 'with --adopt: the local file the upload was of')
    .option('--json', 'JSON output')
    .action(
      action(async (name: string, target: string, options) =>
        (await import('./commands/orphans.ts')).orphans(ctx(), name, target, options),
      ),
    );

  program
    .command('receipt <jobId>')
    .description('the receipt of a completed upload: file, destination, part plan, checksums sent, ETag, verification')
    .option('--json', 'JSON output')
    .action(action(async (id: string, options: { json?: boolean }) => (await import('./commands/receipt.ts')).receipt(ctx(), id, options)));

  program
    .command('verify <target>')
    .description('check that s3://BUCKET/KEY holds exactly the bytes of a local file, without downloading it')
    .requiredOption('--file <path>', 'the local file')
    .requiredOption('--endpoint <name>', 'the endpoint the object is on')
    .option('--json', 'JSON output')
    .action(
      action(async (target: string, options: { file: string; endpoint: string; json?: boolean }) =>
        (await import('./commands/verify.ts')).verify(ctx(), target, options),
      ),
    );

  program
    .command('serve')
    .description('open the window in a browser: serves it on 127.0.0.1; each printed link opens one window once (Enter prints a new one)')
    .option('--port <n>', 'port (default: a free one)')
    .option('--open', 'open the window in the system browser (through an owner-only launcher file, not the address)')
    .action(action(async (options: { port?: string; open?: boolean }) => (await import('./commands/serve.ts')).serve(ctx(), options)));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportError(io, error);
  }
}
