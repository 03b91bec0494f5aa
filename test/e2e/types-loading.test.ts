import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, repoRoot } from '../support/databases.ts';
import { runRb, tempProject } from '../support/project.ts';
import { tempDir } from '../support/temp.ts';

// What `rb types` loads (issue 10): pgtyped's modules come from rb's bundle (dist/vendor/pgtyped.js,
// built from the pinned versions), never the TypeScript compiler or pgtyped's own files in
// node_modules; a run with nothing changed loads neither pgtyped nor a database client.
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
writeFileSync(recorder, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);

async function typesLoading(cwd: string, env: Record<string, string>): Promise<{ stdout: string; loaded: string[] }> {
  writeFileSync(loads, '');
  const run = await runRb(['types'], { cwd, env: { ...env, NODE_OPTIONS: `--import=${recorder}`, RB_TEST_LOAD_LOG: loads } });
  assert.is(run.code, 0, run.stderr);
  return { stdout: run.stdout, loaded: readFileSync(loads, 'utf8').split('\n').filter(Boolean) };
}

test('rb types generates with the bundled pgtyped, without TypeScript; with nothing changed it loads neither pgtyped nor postgres.js', async () => {
  const cwd = tempProject();
  cpSync(path.join(repoRoot, 'db', 'migrations'), path.join(cwd, 'db', 'migrations'), { recursive: true });
  cpSync(path.join(repoRoot, 'pgtyped.config.json'), path.join(cwd, 'pgtyped.config.json'));
  mkdirSync(path.join(cwd, 'queries'));
  writeFileSync(path.join(cwd, 'queries', 'user.sql'), '/* @name GetUserById */\nSELECT id, email FROM "user" WHERE id = :id!;\n');
  const env = { DATABASE_URL: await createEmptyDatabase('types-loading') };

  const generated = await typesLoading(cwd, env);
  assert.match(generated.stdout, '1 query file(s): 1 written, 0 unchanged');
  assert.ok(generated.loaded.some((url) => url.endsWith('/dist/vendor/pgtyped.js')), 'the bundle was loaded');
  assert.equal(generated.loaded.filter((url) => /\/node_modules\/(typescript|@pgtyped|antlr4ts)\//.test(url)), []);

  const unchanged = await typesLoading(cwd, env);
  assert.match(unchanged.stdout, '(nothing changed since the last run)');
  assert.equal(unchanged.loaded.filter((url) => /\/vendor\/pgtyped\.js$|\/node_modules\/(postgres|@pgtyped)\//.test(url)), []);
  assert.ok(unchanged.loaded.some((url) => url.endsWith('/types/generate-types.js')), 'the recorder saw rb load its modules');
});

test.run();
