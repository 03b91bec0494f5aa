/**
 * pgtyped's own example project (../shared/acceptance/pgtyped-example): its schema as a
 * migration, its config with its type overrides, its 20 queries. `rb types` and the plain
 * `pgtyped -c` CLI run on the same inputs against the same migrated database in this run; their
 * outputs must be identical except where rb deliberately differs:
 *   - nonEmptyArrayParams defaults to true under rb: a spread parameter (`ids -> (...)`) is typed
 *     `readonly [T, ...(T)[]]` instead of `readonly (T)[]`, because an empty array would expand
 *     to `IN ()` / `VALUES ()`, a syntax error at run time;
 *   - PreparedQuery is imported from '@rbsql/runtime' instead of '@pgtyped/runtime', so an app
 *     lists only rb's packages (the same class: the runtime re-declares pgtyped's types over it).
 * rb's other type choices (src/runtime/type-choices.ts) do not show here: this schema's date
 * columns are covered by the example's own override, which takes precedence over rb's.
 */
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, repoRoot } from '../test/support/databases.ts';
import { runRb, tempProject } from '../test/support/project.ts';
import { runProcess } from '../src/process.ts';
import { withDatabase } from '../src/target/database-url.ts';

const example = path.resolve(repoRoot, '..', 'shared', 'acceptance', 'pgtyped-example', 'packages', 'example');

function generatedFiles(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) generatedFiles(full, found);
    else if (entry.name.endsWith('.queries.ts')) found.push(full);
  }
  return found.sort();
}

/** rb's two deliberate differences, applied to pgtyped's output. */
function withRbDifferences(text: string): string {
  return text
    .replace(/readonly \(([^()]*)\)\[\]/g, 'readonly [$1, ...($1)[]]')
    .replace("import { PreparedQuery } from '@pgtyped/runtime';", "import { PreparedQuery } from '@rbsql/runtime';");
}

test('rb types on pgtyped\'s example == plain pgtyped -c, except the documented non-empty spreads and import line', async () => {
  assert.ok(existsSync(example), `${example} is missing: make acceptance needs shared/ beside the repository`);
  const schema = readFileSync(path.join(example, 'sql', 'schema.sql'), 'utf8');
  const cwd = tempProject({
    '20200101000000_pgtyped_example.sql': `-- migrate:up\n${schema}\n-- migrate:down\n` +
      'drop table book_country, book_comments, books, authors, notifications, users;\n' +
      'drop type "Iso31661Alpha2", category, notification_type;\n',
  });
  cpSync(path.join(example, 'src'), path.join(cwd, 'src'), { recursive: true });
  writeFileSync(path.join(cwd, 'pgtyped.config.json'), readFileSync(path.join(example, 'config.json')));
  const url = await createEmptyDatabase('pgtyped-example');

  const rb = await runRb(['types'], { cwd, env: { DATABASE_URL: url } });
  assert.is(rb.code, 0, rb.stderr);
  assert.is(rb.stderr, [
    'note: pgtyped.config.json: ignoring dbUrl/db (rb connects pgtyped to its shadow database)',
    'note: pgtyped.config.json: ignoring transforms[1] (mode "ts": rb generates from .sql files only)',
    'note: pgtyped.config.json: ignoring transforms[2] (mode "ts-implicit": rb generates from .sql files only)',
    '',
  ].join('\n'));
  const rbFiles = generatedFiles(path.join(cwd, 'src'));
  assert.equal(rbFiles.map((f) => path.relative(cwd, f)), [
    'src/books/books.queries.ts', 'src/comments/comments.queries.ts', 'src/notifications/notifications.queries.ts',
  ]);
  const rbOutput = new Map(rbFiles.map((f) => [path.relative(cwd, f), readFileSync(f, 'utf8')]));
  for (const file of rbFiles) rmSync(file);

  // The plain CLI on the same files and the same database (rb's shadow), with a clean
  // environment: PG* variables would override --uri.
  const shadowUrl = withDatabase(url, `${new URL(url).pathname.slice(1)}_rb_shadow`);
  const cli = await runProcess(process.execPath, [
    path.join(repoRoot, 'node_modules', '@pgtyped', 'cli', 'lib', 'index.js'), '-c', 'pgtyped.config.json', '--uri', shadowUrl,
  ], { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });
  assert.is(cli.code, 0, cli.stdout + cli.stderr);
  assert.not.match(cli.stdout + cli.stderr, /Error in query|Error processing/);
  const cliFiles = generatedFiles(path.join(cwd, 'src'));
  assert.equal(cliFiles.map((f) => path.relative(cwd, f)), [...rbOutput.keys()]);

  let spreads = 0;
  for (const file of cliFiles) {
    const plain = readFileSync(file, 'utf8');
    spreads += (plain.match(/readonly \([^()]*\)\[\]/g) ?? []).length;
    assert.is(rbOutput.get(path.relative(cwd, file)), withRbDifferences(plain), `${path.relative(cwd, file)} differs beyond the documented changes`);
  }
  // InsertBooks.books, GetAllCommentsByIds.ids, InsertComment.comments, SendNotifications.notifications
  assert.is(spreads, 4);
  for (const [file, text] of rbOutput) assert.match(text, "import { PreparedQuery } from '@rbsql/runtime';", file);
  // 20 queries, each with a PreparedQuery in both outputs.
  const queries = [...rbOutput.values()].reduce((n, text) => n + (text.match(/= new PreparedQuery</g) ?? []).length, 0);
  assert.is(queries, 20);
});

test.run();
