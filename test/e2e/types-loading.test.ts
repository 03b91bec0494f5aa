import { cpSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, repoRoot } from '../support/databases.ts';
import { runRb, tempProject } from '../support/project.ts';
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

test('a code cache V8 rejects (another Node, a damaged file) is compiled past and written anew', async () => {
  const cwd = project();
  mkdirSync(path.join(cwd, '.rb'));
  const codeCache = path.join(cwd, '.rb', 'pgtyped.code-cache');
  writeFileSync(codeCache, 'not bytecode');
  const run = await runRb(['types'], { cwd, env: { DATABASE_URL: await createEmptyDatabase('types-loading-rejected') } });
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stderr, '');
  assert.match(run.stdout, '1 query file(s): 1 written, 0 unchanged');
  assert.match(readFileSync(path.join(cwd, 'queries', 'user.queries.ts'), 'utf8'), 'export const getUserById');
  assert.ok(statSync(codeCache).size > 100_000, 'rewritten with real bytecode');
});

test.run();
