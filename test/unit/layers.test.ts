/**
 * The layer rules fail on a forbidden use (house style #1, issue #9): each layer's tsconfig refuses the
 * runtime it must not touch, and the lint refuses the imports it must not make. Each forbidden probe is
 * paired with an allowed one, so a probe that fails for another reason (a broken harness) is caught.
 * The probes are virtual files inside the layer's folder: nothing is written to the tree.
 */
import path from 'node:path';
import ts from 'typescript';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

const libraryFiles = new Map<string, ts.SourceFile>();

/**
 * Type-checks `lines` as one file of `layer` (a folder with its own tsconfig.json) and returns, per line
 * (1-based), the first error on it. One program per layer; library files are parsed once for all.
 */
function typeErrorsByLine(layer: string, lines: string[]): Map<number, string> {
  const probe = path.join(root, layer, '__layer_probe__.ts');
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    // the layer's include patterns must cover the probe: list it among the folder's files
    readDirectory: (dir, extensions, excludes, includes, depth) => [
      ...ts.sys.readDirectory(dir, extensions, excludes, includes, depth),
      ...(dir === path.join(root, layer) ? [probe] : []),
    ],
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  };
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, layer, 'tsconfig.json'), {}, host);
  if (!config) throw new Error(`no tsconfig in ${layer}`);
  expect(config.fileNames).toContain(probe);
  const options = { ...config.options, composite: false, noEmit: true, emitDeclarationOnly: false };
  const compilerHost = ts.createCompilerHost(options);
  const getSourceFile = compilerHost.getSourceFile;
  compilerHost.getSourceFile = (fileName, languageVersion, ...rest) => {
    if (fileName === probe) return ts.createSourceFile(fileName, lines.join('\n'), languageVersion);
    const cached = libraryFiles.get(fileName);
    if (cached) return cached;
    const file = getSourceFile(fileName, languageVersion, ...rest);
    if (file) libraryFiles.set(fileName, file);
    return file;
  };
  const fileExists = compilerHost.fileExists;
  compilerHost.fileExists = (fileName) => fileName === probe || fileExists(fileName);
  // the probe and the layer's own declarations (shared/universal.d.ts)
  const rootNames = [...config.fileNames.filter((name) => name.endsWith('.d.ts')), probe];
  const program = ts.createProgram({ rootNames, options, host: compilerHost });
  const errors = new Map<number, string>();
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const line =
      diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1 : 0;
    if (!errors.has(line)) errors.set(line, ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '));
  }
  return errors;
}

const eslint = new ESLint({ cwd: root });
/** Lints `code` as the file `filePath` (relative to the root) and returns the messages. */
async function lintMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, filePath) });
  return (result?.messages ?? []).map((m) => m.message);
}

describe('layers: the compiler refuses a runtime a layer must not use', { timeout: 60_000 }, () => {
  it('shared/ has neither the DOM nor Node', () => {
    const errors = typeErrorsByLine('shared', [
      'export const title = document.title;',
      "export const b = Buffer.from('a');",
      'export const p = process.env;',
      // the globals every runtime has stay usable
      "export const host = new URL('http://a/').hostname + new TextEncoder().encode('a').length;",
    ]);
    expect(errors.get(1)).toMatch(/Cannot find name 'document'/);
    expect(errors.get(2)).toMatch(/Cannot find name 'Buffer'/);
    expect(errors.get(3)).toMatch(/Cannot find name 'process'/);
    expect([...errors.keys()]).toEqual([1, 2, 3]);
  });

  it('renderer/ has the DOM but not Node', () => {
    const errors = typeErrorsByLine('renderer', [
      "export const b = Buffer.from('a');",
      'export const p = process.env;',
      'export const title = document.title;',
    ]);
    expect(errors.get(1)).toMatch(/Cannot find name 'Buffer'/);
    expect(errors.get(2)).toMatch(/Cannot find name 'process'/);
    expect([...errors.keys()]).toEqual([1, 2]);
  });

  it('main/ has Node but not the DOM', () => {
    const errors = typeErrorsByLine('main', [
      'export const title = document.title;',
      "export const b = Buffer.from('a').length + process.pid;",
    ]);
    expect(errors.get(1)).toMatch(/Cannot find name 'document'/);
    expect([...errors.keys()]).toEqual([1]);
  });
});

describe('layers: the lint refuses an import a layer must not make', { timeout: 60_000 }, () => {
  it('main/engine and main/store import no host', async () => {
    for (const file of ['main/engine/probe.ts', 'main/store/probe.ts']) {
      for (const host of ['host/service.ts', 'web/server.ts', 'cli/output.ts', 'electron/ipc.ts']) {
        const messages = await lintMessages(file, `import { x } from '../${host}';\nexport const y = x;\n`);
        expect(messages.join('\n'), `${file} importing ../${host}`).toMatch(/layer rule/);
      }
      expect(await lintMessages(file, "import { x } from '../../shared/job.ts';\nexport const y = x;\n")).toEqual([]);
    }
    // a host may import the engine
    expect(await lintMessages('main/host/probe.ts', "import { x } from '../engine/engine.ts';\nexport const y = x;\n")).toEqual([]);
  });

  it('shared/ imports nothing of Node, main/ or renderer/; renderer/ nothing of Node or main/', async () => {
    expect((await lintMessages('shared/probe.ts', "import fs from 'node:fs';\nexport const y = fs;\n")).join('\n')).toMatch(/layer rule/);
    expect(
      (await lintMessages('shared/probe.ts', "import { x } from '../main/engine/engine.ts';\nexport const y = x;\n")).join('\n'),
    ).toMatch(/layer rule/);
    expect((await lintMessages('renderer/probe.ts', "import fs from 'node:fs';\nexport const y = fs;\n")).join('\n')).toMatch(/layer rule/);
    expect(
      (await lintMessages('renderer/probe.ts', "import { x } from '../main/host/service.ts';\nexport const y = x;\n")).join('\n'),
    ).toMatch(/layer rule/);
    expect((await lintMessages('main/engine/probe.ts', "import { app } from 'electron';\nexport const y = app;\n")).join('\n')).toMatch(
      /layer rule/,
    );
  });
});
