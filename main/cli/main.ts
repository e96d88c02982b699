/**
 * The `ferry` command: the engine's headless host. The CLI contract (commands, flags, `--json`
 * shapes and exit codes) is documented in README.md; other tools drive it, so keep to it.
 */
import { Command, CommanderError, Option } from 'commander';
import { resolveDataDir } from './dataDir.ts';
import type { Context } from './context.ts';
import { EXIT, reportError, type Io } from './output.ts';
import { endpointAdd, endpointList, endpointRemove, endpointTest } from './commands/endpoint.ts';
import { run, upload } from './commands/transfer.ts';
import { control, listJobs } from './commands/jobs.ts';
import { orphans } from './commands/orphans.ts';
import { serve } from './commands/serve.ts';
import { verify } from './commands/verify.ts';
import { receipt } from './commands/receipt.ts';
import { VERSION } from '../host/version.ts';

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
    .option('--replace', 'replace an endpoint of the same name')
    .action(action((name: string, options) => endpointAdd(ctx(), name, options)));
  endpoint
    .command('list')
    .description('list endpoints (never their secrets)')
    .option('--json', 'JSON output')
    .action(action((options: { json?: boolean }) => endpointList(ctx(), options)));
  endpoint
    .command('test <name>')
    .description('check that the endpoint answers and accepts the credentials; measure clock skew')
    .option('--bucket <bucket>', 'also check this bucket (exists, right region)')
    .option('--json', 'JSON output')
    .action(action((name: string, options: { bucket?: string; json?: boolean }) => endpointTest(ctx(), name, options)));
  endpoint
    .command('remove <name>')
    .description('remove an endpoint and its stored secret')
    .action(action((name: string) => endpointRemove(ctx(), name)));

  program
    .command('upload')
    .description('upload files or folders: ferry upload PATH... s3://BUCKET/KEY (or s3://BUCKET/PREFIX/) --endpoint NAME')
    .argument('<paths...>', 'files or folders, then the s3:// target')
    .requiredOption('--endpoint <name>', 'the endpoint to upload to')
    .option('--part-size <size>', 'part size, e.g. 16MiB (grown automatically for huge files)')
    .option('--concurrency <n>', 'parallel parts per file')
    .option('--detach', 'only queue the jobs; `ferry run` uploads them')
    .action(action((paths: string[], options) => upload(ctx(), paths, options)));

  program
    .command('jobs')
    .description('list upload jobs')
    .option('--json', 'JSON output')
    .action(action((options: { json?: boolean }) => listJobs(ctx(), options)));

  for (const [name, description] of [
    ['pause', 'pause jobs (parts already sent stay on the server)'],
    ['resume', 'queue paused jobs again (then: ferry run)'],
    ['abort', 'abort jobs and delete their parts from the server'],
    ['retry', 'queue failed jobs again (then: ferry run)'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument('[ids...]', 'job ids (or unique prefixes) from ferry jobs')
      .option('--all', 'every job this applies to')
      .addHelpText(
        'after',
        '\nWhile ferry upload, ferry run or ferry serve owns the data directory, the command goes to that process and acts there at once.',
      )
      .action(action((ids: string[], options: { all?: boolean }) => control(ctx(), name, ids, options)));
  }

  program
    .command('run')
    .description('upload every queued job, including those interrupted by a crash, until none is left')
    .action(action(() => run(ctx())));

  program
    .command('orphans <endpoint> <target>')
    .description('list incomplete multipart uploads in s3://BUCKET[/PREFIX] and abort the ones chosen')
    .option('--abort <uploadIds...>', 'abort these uploads')
    .option('--abort-all', 'abort every listed upload not owned by a Ferry job')
    .option('--include-ferry-jobs', 'also abort uploads that belong to Ferry jobs')
    .option('--adopt <uploadId>', 'finish this incomplete upload (of s3://BUCKET/KEY) with --file: matching parts are kept')
    .option('--file <path>', 'with --adopt: the local file the upload was of')
    .option('--json', 'JSON output')
    .action(action((name: string, target: string, options) => orphans(ctx(), name, target, options)));

  program
    .command('receipt <jobId>')
    .description('the receipt of a completed upload: file, destination, part plan, checksums sent, ETag, verification')
    .option('--json', 'JSON output')
    .action(action((id: string, options: { json?: boolean }) => receipt(ctx(), id, options)));

  program
    .command('verify <target>')
    .description('check that s3://BUCKET/KEY holds exactly the bytes of a local file, without downloading it')
    .requiredOption('--file <path>', 'the local file')
    .requiredOption('--endpoint <name>', 'the endpoint the object is on')
    .option('--json', 'JSON output')
    .action(action((target: string, options: { file: string; endpoint: string; json?: boolean }) => verify(ctx(), target, options)));

  program
    .command('serve')
    .description('open the window in a browser: serves it on 127.0.0.1 with a per-run token')
    .option('--port <n>', 'port (default: a free one)')
    .option('--open', 'open the address in the system browser')
    .action(action((options: { port?: string; open?: boolean }) => serve(ctx(), options)));

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
