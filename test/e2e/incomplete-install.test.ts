/**
 * An install that lacks one of rb's own packages (tsx removed, `npm install --omit=optional`
 * without @dbmate/<platform>) is named in one line with the fix, not blamed on the user's script
 * nor reported as a bug in rb. Each test runs a copy of the toolkit in a node_modules of its own
 * (dist copied, the other packages linked to this checkout's) from which the one package is left
 * out, so Node's real resolution does not find it.
 */
import { chmodSync, cpSync, mkdirSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runProcess } from '../../src/process.ts';
import { createEmptyDatabase, createMigratedDatabase, repoRoot } from '../support/databases.ts';
import { migration, runRb, runtimeEntry, tempProject } from '../support/project.ts';
import { tempDir } from '../support/temp.ts';

const modules = path.join(repoRoot, 'node_modules');

/**
 * A node_modules holding a copy of @rbsql/cli (package.json, bin, dist) and every package of this
 * checkout's node_modules except those in `without`; those in `copied` are copies (a link would
 * resolve from the checkout, where the left-out package is). Returns the copy's bin/rb.js.
 */
function toolkitCopy(without: string[], copied: string[] = []): string {
  const target = path.join(tempDir('toolkit-'), 'node_modules');
  const place = (name: string) => {
    if (without.includes(name) || name === '@rbsql/cli') return;
    const from = realpathSync(path.join(modules, name));
    if (copied.includes(name)) cpSync(from, path.join(target, name), { recursive: true });
    else symlinkSync(from, path.join(target, name));
  };
  mkdirSync(target);
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      if (without.includes(entry)) continue;
      mkdirSync(path.join(target, entry));
      for (const inner of readdirSync(path.join(modules, entry))) place(`${entry}/${inner}`);
    } else {
      place(entry);
    }
  }
  const toolkit = path.join(target, '@rbsql', 'cli');
  mkdirSync(toolkit);
  for (const part of ['package.json', 'bin', 'dist']) cpSync(path.join(repoRoot, 'src', part), path.join(toolkit, part), { recursive: true });
  return path.join(toolkit, 'bin', 'rb.js');
}

async function runCopy(bin: string, args: string[], cwd: string, env: Record<string, string>) {
  return runProcess(process.execPath, [bin, ...args], { cwd, env: { PATH: process.env.PATH!, TMPDIR: process.env.TMPDIR!, ...env } });
}

function scriptProject(files: Record<string, string>): string {
  const dir = tempProject();
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'rb-test-project', private: true, type: 'module' }, null, 2));
  mkdirSync(path.join(dir, 'backfill'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const SCRIPT = `import type { Backfill } from '${runtimeEntry}';\nconst backfill: Backfill = async ({ log }) => log.info('ran');\nexport default backfill;\n`;

test('tsx missing where rb lives: the line of a missing dependency, exit 2, not "the script failed to load"', async () => {
  const bin = toolkitCopy(['tsx']);
  const cwd = scriptProject({ 'backfill/x.ts': SCRIPT });
  const run = await runCopy(bin, ['run-script', 'backfill/x.ts', '--dry-run'], cwd, { DATABASE_URL: await createMigratedDatabase('no-tsx') });
  const packageDir = path.dirname(path.dirname(bin));
  assert.is(run.stderr, `rb: cannot load tsx: @rbsql/cli's dependencies are not installed where it lives (${packageDir}${path.sep}); run "npm install" in the app that uses it, or reinstall @rbsql/cli\n`);
  assert.is(run.code, 2);
});

test('a package the script imports that is not installed is still the script\'s to fix', async () => {
  const cwd = scriptProject({ 'backfill/y.ts': `import 'no-such-package-rb-test';\n${SCRIPT}` });
  const run = await runRb(['run-script', 'backfill/y.ts', '--dry-run'], { cwd, env: { DATABASE_URL: await createMigratedDatabase('script-import') } });
  assert.is(run.stderr, `rb: backfill/y.ts: the script failed to load: Cannot find package 'no-such-package-rb-test' imported from ${path.join(cwd, 'backfill', 'y.ts')}; fix the script and run it again\n`);
  assert.is(run.code, 2);
});

test('npm install --omit=optional (no @dbmate/<platform>): rb upgrade names the package and the fix, not an internal error', async () => {
  const bin = toolkitCopy(['@dbmate'], ['dbmate']);
  const cwd = tempProject({ '20240101000001_create_t.sql': migration('CREATE TABLE t (id int);', 'DROP TABLE t;') });
  const run = await runCopy(bin, ['upgrade'], cwd, { DATABASE_URL: await createEmptyDatabase('no-dbmate-binary') });
  assert.is(run.stderr, `rb: dbmate for this platform (@dbmate/${process.platform}-${process.arch}, an optional dependency of dbmate) is not installed; reinstall without --omit=optional (npm install)\n`);
  assert.is(run.code, 1);
});

test('a dbmate binary that is not executable: one line naming it and the fix, exit 2', async () => {
  const platformPackage = `@dbmate/${process.platform}-${process.arch}`;
  const bin = toolkitCopy([], ['dbmate', platformPackage]);
  const binary = path.join(path.dirname(path.dirname(path.dirname(path.dirname(bin)))), platformPackage, 'bin', 'dbmate');
  chmodSync(binary, 0o644);
  const cwd = tempProject({ '20240101000001_create_t.sql': migration('CREATE TABLE t (id int);', 'DROP TABLE t;') });
  const run = await runCopy(bin, ['upgrade'], cwd, { DATABASE_URL: await createEmptyDatabase('dbmate-not-executable') });
  assert.is(run.stderr, `rb: cannot run ${binary}: permission denied (EACCES); make it executable (chmod +x), or reinstall the package that holds it\n`);
  assert.is(run.code, 2);
});

test.run();
