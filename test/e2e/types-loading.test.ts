import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, repoRoot } from '../support/databases.ts';
import { runRb, startRb, tempProject } from '../support/project.ts';
import { runProcess } from '../../src/process.ts';
import { tempDir } from '../support/temp.ts';

// What `rb types` loads (issue 10): pgtyped's modules come from rb's bundle (dist/vendor/pgtyped.cjs,
// built from the pinned versions, run with V8's code cache kept in .rb/), never the TypeScript
// compiler or pgtyped's own files in node_modules; a run with nothing changed loads neither pgtyped
// nor a database client.
const dir = tempDir('types-loading-');
const loads = path.join(dir, 'loaded.log');
// Loaded into rb before its own modules (NODE_OPTIONS): a module hook that records every module file it loads.
const hooks = path.join(dir, 'load-hooks.mjs');
writeFileSync(hooks, `
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(process.env.RB_TEST_LOAD_LOG, url + '\\n');
  return next(url, context);
}
`);
const recorder = path.join(dir, 'record-loads.mjs');
// The bundle is read with readFileSync and compiled by node:vm (src/types/code-cache.ts), which no
// module hook sees: the recorder also logs the .cjs files rb reads.
writeFileSync(recorder, `import { register, syncBuiltinESMExports } from 'node:module';
import fs from 'node:fs';
register(${JSON.stringify(pathToFileURL(hooks).href)});
const readFileSync = fs.readFileSync;
fs.readFileSync = function (file, ...rest) {
  if (String(file).endsWith('.cjs')) fs.appendFileSync(process.env.RB_TEST_LOAD_LOG, 'read ' + String(file) + '\\n');
  return readFileSync.call(this, file, ...rest);
};
syncBuiltinESMExports();
`);

/** A project with the repository's migrations and pgtyped config, and one query file. */
function project(): string {
  const cwd = tempProject();
  cpSync(path.join(repoRoot, 'db', 'migrations'), path.join(cwd, 'db', 'migrations'), { recursive: true });
  cpSync(path.join(repoRoot, 'pgtyped.config.json'), path.join(cwd, 'pgtyped.config.json'));
  mkdirSync(path.join(cwd, 'queries'));
  writeFileSync(path.join(cwd, 'queries', 'user.sql'), '/* @name GetUserById */\nSELECT id, email FROM "user" WHERE id = :id!;\n');
  return cwd;
}

async function typesLoading(cwd: string, env: Record<string, string>): Promise<{ stdout: string; loaded: string[] }> {
  writeFileSync(loads, '');
  const run = await runRb(['types'], { cwd, env: { ...env, NODE_OPTIONS: `--import=${recorder}`, RB_TEST_LOAD_LOG: loads } });
  assert.is(run.code, 0, run.stderr);
  return { stdout: run.stdout, loaded: readFileSync(loads, 'utf8').split('\n').filter(Boolean) };
}

test('rb types generates with the bundled pgtyped, without TypeScript; with nothing changed it loads neither pgtyped nor postgres.js', async () => {
  const cwd = project();
  const env = { DATABASE_URL: await createEmptyDatabase('types-loading') };

  const generated = await typesLoading(cwd, env);
  assert.match(generated.stdout, '1 query file(s): 1 written, 0 unchanged');
  assert.equal(generated.loaded.filter((url) => url.endsWith('/pgtyped.cjs')), [`read ${path.join(repoRoot, 'src', 'dist', 'vendor', 'pgtyped.cjs')}`]);
  assert.equal(generated.loaded.filter((url) => /\/node_modules\/(typescript|@pgtyped|antlr4ts)\//.test(url)), []);
  // V8's code cache for the bundle: written by the first generation, used (and kept) by the next.
  const codeCache = path.join(cwd, '.rb', 'pgtyped.code-cache');
  const written = statSync(codeCache);
  assert.ok(written.size > 100_000, `code cache of ${written.size} bytes`);
  writeFileSync(path.join(cwd, 'queries', 'user.sql'), '/* @name GetUserById */\nSELECT id FROM "user" WHERE id = :id!;\n');
  const regenerated = await typesLoading(cwd, env);
  assert.match(regenerated.stdout, '1 query file(s): 1 written, 0 unchanged');
  assert.equal(statSync(codeCache).mtimeMs, written.mtimeMs, 'the cache V8 accepted is not rewritten');

  const unchanged = await typesLoading(cwd, env);
  assert.match(unchanged.stdout, '(nothing changed since the last run)');
  assert.equal(unchanged.loaded.filter((url) => /\/vendor\/pgtyped\.cjs$|\/node_modules\/(postgres|@pgtyped)\//.test(url)), []);
  assert.ok(unchanged.loaded.some((url) => url.endsWith('/dist/cli/main.js')), 'the recorder saw rb load its modules');
});

/** The cache file's parts: rb's header (magic, SHA-256 of the bundle, SHA-256 of the data) and V8's data. */
function cacheParts(file: string): { header: string[]; data: Buffer } {
  const bytes = readFileSync(file);
  const header = bytes.subarray(0, 256).toString('latin1').split('\n', 3);
  return { header, data: bytes.subarray(header.join('\n').length + 1) };
}

const bundleFile = path.join(repoRoot, 'src', 'dist', 'vendor', 'pgtyped.cjs');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

test('a code cache that is not usable as it is (not bytecode, damaged bytes, made from another bundle, a FIFO) is never handed to V8: compiled past and written anew', async () => {
  const cwd = project();
  const env = { DATABASE_URL: await createEmptyDatabase('types-loading-cache') };
  const codeCache = path.join(cwd, '.rb', 'pgtyped.code-cache');
  let edit = 0;
  /** rb types after an edit (so that it generates and loads pgtyped), ended after 60 s if it hangs. */
  const generate = async () => {
    edit += 1;
    writeFileSync(path.join(cwd, 'queries', 'user.sql'), `/* @name GetUserById */\nSELECT id, email, ${edit} AS edit FROM "user" WHERE id = :id!;\n`);
    const run = startRb(['types'], { cwd, env });
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
    const done = await run.done;
    clearTimeout(timer);
    assert.is(done.code, 0, `${done.signal ?? ''} ${done.stderr}`);
    assert.is(done.stderr, '');
    assert.match(done.stdout, /Wrote queries\/user\.queries\.ts\n1 query file\(s\): 1 written, 0 unchanged\n$/);
    assert.match(readFileSync(path.join(cwd, 'queries', 'user.queries.ts'), 'utf8'), `edit: number | null`);
  };
  const expectFreshCache = () => {
    const { header, data } = cacheParts(codeCache);
    assert.equal(header, ['rb-v8-code-cache 1', sha256(readFileSync(bundleFile)), sha256(data)]);
    assert.ok(data.length > 100_000, `code cache of ${data.length} bytes`);
  };

  await generate();
  expectFreshCache();
  const good = readFileSync(codeCache);

  // Not bytecode at all.
  writeFileSync(codeCache, 'not bytecode');
  await generate();
  expectFreshCache();

  // V8's bytes damaged under an intact header: V8 itself would die on them (a fatal error, exit 133).
  const damaged = Buffer.from(good);
  for (let i = good.length - 600_000; i < good.length; i += 997) damaged[i] ^= 0xff;
  writeFileSync(codeCache, damaged);
  await generate();
  expectFreshCache();

  // Made from another bundle (an upgraded @rbsql/cli of the same size would pass V8's own check).
  const { header, data } = cacheParts(codeCache);
  writeFileSync(codeCache, Buffer.concat([Buffer.from(`${header[0]}\n${'0'.repeat(64)}\n${header[2]}\n`, 'latin1'), data]));
  await generate();
  expectFreshCache();

  // A FIFO in its place would block a read for ever: it is not read, and a fresh cache replaces it.
  rmSync(codeCache);
  assert.ok((await runProcess('mkfifo', [codeCache])).ok);
  await generate();
  expectFreshCache();
});

test('a damaged pgtyped bundle in the toolkit: one line naming it and the fix, not an internal error', async () => {
  // A copy of the toolkit whose dependencies resolve from this repository's node_modules.
  const toolkit = tempDir('toolkit-damaged-');
  for (const part of ['package.json', 'bin', 'dist']) cpSync(path.join(repoRoot, 'src', part), path.join(toolkit, part), { recursive: true });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(toolkit, 'node_modules'));
  const copy = path.join(toolkit, 'dist', 'vendor', 'pgtyped.cjs');
  writeFileSync(copy, readFileSync(bundleFile).subarray(0, 600_000));
  const cwd = project();
  const run = await runProcess(process.execPath, [path.join(toolkit, 'bin', 'rb.js'), 'types'], {
    cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: await createEmptyDatabase('types-loading-damaged') },
  });
  assert.is(run.code, 1, run.stderr);
  assert.match(run.stderr, new RegExp(`^rb: rb's bundled pgtyped \\(${copy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) cannot be loaded \\([^)]*\\); it is damaged: reinstall @rbsql/cli \\(make build in a checkout\\)\\n$`));
  writeFileSync(copy, '');
  const empty = await runProcess(process.execPath, [path.join(toolkit, 'bin', 'rb.js'), 'types'], {
    cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: await createEmptyDatabase('types-loading-empty') },
  });
  assert.is(empty.code, 1, empty.stderr);
  assert.match(empty.stderr, 'cannot be loaded (it does not export generateTypedecsFromFile, generateDeclarationFile,');
});

test.run();
