/**
 * `rb init` in an existing app, as a new user runs it: an app with its own src/, package.json
 * scripts and .gitignore; run twice (the second run changes nothing); followed by the README's own
 * first steps (`create table app.<name>`) from a subdirectory; an existing database detected on
 * DATABASE_URL or named by --existing-database.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, withSql } from '../support/databases.ts';
import { runRb } from '../support/project.ts';
import { describeUrl, parseDatabaseUrl } from '../../src/target/database-url.ts';
import { tempDir } from '../support/temp.ts';

/** An app a team already has: src/ with code, package.json with scripts (one named like rb's), a .gitignore. */
function existingApp(): string {
  const app = tempDir('init-app-');
  mkdirSync(path.join(app, 'src', 'lib'), { recursive: true });
  writeFileSync(path.join(app, 'src', 'index.ts'), 'export const answer = 42;\n');
  writeFileSync(path.join(app, 'package.json'), `{
    "name": "shop",
    "version": "1.0.0",
    "scripts": {
        "test": "node --test",
        "db:status": "echo ours"
    }
}
`);
  writeFileSync(path.join(app, '.gitignore'), 'node_modules\n/.env\n');
  return app;
}

/** Every file under dir (but .rb/) with its text: what a run changed shows as a difference. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '.rb') walk(full);
      } else files[path.relative(dir, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(dir);
  return files;
}

test('rb init in an app with src/: adds the layout, .gitignore lines, npm scripts and rb.schemas, keeps what is there; a second run changes nothing', async () => {
  const app = existingApp();
  const first = await runRb(['init'], { cwd: app });
  assert.is(first.code, 0, first.stderr);
  assert.is(first.stderr, '');
  const migrations = readdirSync(path.join(app, 'db', 'migrations'));
  assert.is(migrations.length, 1);
  assert.match(migrations[0], /^\d{14}_create_schema_app\.sql$/);
  assert.is(first.stdout, [
    'created  package.json rb.schemas: ["app"]',
    'updated  package.json scripts: added db:migrate, db:rollback, db:new, db:types, db:check, db:start, db:stop',
    'kept     package.json scripts: left as they are: db:status (runs "echo ours")',
    `created  db/migrations/${migrations[0]}: first migration: creates the schema app`,
    'created  pgtyped.config.json: queries in ./src/queries/',
    'created  src/queries/: annotated queries (*.sql); rb types writes *.queries.ts beside them',
    'created  backfill/: backfill scripts (rb run-script)',
    'updated  .gitignore: ignores .rb/',
    '',
    'Next:',
    '  rb new-migration <name>  write your first table (create table <schema>.<name> ...)',
    '  rb upgrade               apply them to the local PostgreSQL (started for you) and regenerate the query types',
    '                           put annotated queries in src/queries/ (rb types --watch while you edit)',
    '  git add -A               commit the migrations, db/schema.sql and the generated *.queries.ts',
    '',
  ].join('\n'));

  // package.json keeps its 4-space indentation, its keys and the team's own script.
  assert.is(readFileSync(path.join(app, 'package.json'), 'utf8'), `{
    "name": "shop",
    "version": "1.0.0",
    "scripts": {
        "test": "node --test",
        "db:status": "echo ours",
        "db:migrate": "rb upgrade",
        "db:rollback": "rb downgrade",
        "db:new": "rb new-migration",
        "db:types": "rb types",
        "db:check": "rb check",
        "db:start": "rb db start",
        "db:stop": "rb db stop"
    },
    "rb": {
        "schemas": [
            "app"
        ]
    }
}
`);
  // .env was ignored already (as /.env): only .rb/ is added.
  assert.is(readFileSync(path.join(app, '.gitignore'), 'utf8'), 'node_modules\n/.env\n\n# rb: the local PostgreSQL\'s data, dumps and caches; secrets\n.rb/\n');
  assert.equal(JSON.parse(readFileSync(path.join(app, 'pgtyped.config.json'), 'utf8')), {
    transforms: [{ mode: 'sql', include: '**/*.sql', emitTemplate: '{{dir}}/{{name}}.queries.ts' }],
    srcDir: './src/queries/',
  });
  assert.is(readFileSync(path.join(app, 'db', 'migrations', migrations[0]), 'utf8'), `-- migrate:up
-- The app's tables live in this schema (package.json "rb": {"schemas": ["app"]}):
-- rb's shadow database, rb run-script and createClient() use search_path = app, public.
-- dbmate's tracking table stays in public.
create schema app;

-- migrate:down
drop schema app;
`);
  assert.ok(statSync(path.join(app, 'src', 'queries', '.gitkeep')).isFile());
  assert.ok(statSync(path.join(app, 'backfill', '.gitkeep')).isFile());
  assert.is(readFileSync(path.join(app, 'src', 'index.ts'), 'utf8'), 'export const answer = 42;\n');

  const before = snapshot(app);
  const second = await runRb(['init'], { cwd: path.join(app, 'src', 'lib') });
  assert.is(second.code, 0, second.stderr);
  assert.is(second.stdout, [
    'kept     package.json rb.schemas: ["app"]',
    'kept     package.json scripts: the db:* scripts are there',
    'kept     package.json scripts: left as they are: db:status (runs "echo ours")',
    'kept     db/migrations/: 1 migration(s) already there',
    'kept     pgtyped.config.json: queries in ./src/queries/',
    'kept     src/queries/: annotated queries (*.sql); rb types writes *.queries.ts beside them (already there)',
    'kept     backfill/: backfill scripts (rb run-script) (already there)',
    'kept     .gitignore: already ignores .rb/ and .env',
    'rb init: everything is in place, nothing changed',
    '',
  ].join('\n'));
  assert.equal(snapshot(app), before);
});

test('after rb init, the README\'s first steps work from a subdirectory: create table app.<name>, rb upgrade writes the types into src/queries', async () => {
  const app = existingApp();
  const url = await createEmptyDatabase(import.meta.url);
  const env = { DATABASE_URL: url };
  const sub = path.join(app, 'src', 'lib');
  assert.is((await runRb(['init'], { cwd: sub })).code, 0);
  const created = await runRb(['new-migration', 'create', 'users'], { cwd: sub, env });
  assert.is(created.code, 0, created.stderr);
  const file = /^Created (db\/migrations\/\d{14}_create_users\.sql)\n$/.exec(created.stdout)?.[1];
  assert.ok(file, created.stdout);
  assert.not.ok(existsSync(path.join(sub, 'db')), 'nothing is created under the working directory');
  writeFileSync(path.join(app, file), '-- migrate:up\ncreate table app.users (id bigint generated always as identity primary key, email text not null);\n\n-- migrate:down\ndrop table app.users;\n');
  writeFileSync(path.join(app, 'src', 'queries', 'users.sql'), '/* @name UserByEmail */\nselect id, email from users where email = :email!;\n');

  const up = await runRb(['upgrade'], { cwd: sub, env });
  assert.is(up.code, 0, up.stderr);
  const lines = up.stdout.split('\n');
  assert.match(lines[0], /^Applied: \d{14}_create_schema_app\.sql$/);
  assert.match(lines[1], /^Applied: \d{14}_create_users\.sql$/);
  assert.equal(lines.slice(2), [
    `${describeUrl(url)} (from DATABASE_URL): applied 2 migration(s)`,
    'Wrote db/schema.sql',
    `Rebuilt the shadow database ${parseDatabaseUrl(url).database}_rb_shadow from the migrations`,
    'Wrote src/queries/users.queries.ts',
    '1 query file(s): 1 written, 0 unchanged',
    '',
  ]);
  assert.match(readFileSync(path.join(app, 'src', 'queries', 'users.queries.ts'), 'utf8'), 'export const userByEmail = new PreparedQuery<IUserByEmailParams,IUserByEmailResult>');
  assert.ok(existsSync(path.join(app, 'db', 'schema.sql')));
  const [row] = await withSql(url, (sql) => sql`select count(*)::int as n from app.users`);
  assert.is(row.n, 0);

  const status = await runRb(['status'], { cwd: path.join(app, 'src'), env });
  assert.is(status.code, 0, status.stderr);
  assert.match(status.stdout, /2 applied, 0 pending; current version: \d{14}\n$/);
});

test('rb init on DATABASE_URL with tables sets up to adopt it: schemas holding them (public first), no schema migration, rb baseline next', async () => {
  const app = existingApp();
  const url = await createEmptyDatabase(import.meta.url);
  await withSql(url, (sql) => sql.unsafe('create schema billing; create table public.posts (id int); create table billing.invoices (id int)'));
  const result = await runRb(['init'], { cwd: app, env: { DATABASE_URL: url } });
  assert.is(result.code, 0, result.stderr);
  assert.is(result.stdout.split('\n')[0], `${describeUrl(url)} already has 2 table(s) in public, billing: set up to adopt it`);
  assert.match(result.stdout, 'created  package.json rb.schemas: ["public","billing"]\n');
  assert.match(result.stdout, 'created  db/migrations/: migrations (rb baseline writes the first one from your database)\n');
  assert.match(result.stdout, "  rb baseline              record the database's current schema as the first migration");
  assert.equal(readdirSync(path.join(app, 'db', 'migrations')), ['.gitkeep']);
  assert.equal((JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8')) as { rb: unknown }).rb, { schemas: ['public', 'billing'] });
  // Nothing was written to that database.
  const [row] = await withSql(url, (sql) => sql`select count(*)::int as n from pg_tables where schemaname not in ('pg_catalog', 'information_schema')`);
  assert.is(row.n, 2);

  const before = snapshot(app);
  const again = await runRb(['init'], { cwd: app, env: { DATABASE_URL: url } });
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, 'rb init: everything is in place, nothing changed\n');
  assert.equal(snapshot(app), before);
});

test('rb init --existing-database without a URL: public, no schema migration; an empty DATABASE_URL database is a new app', async () => {
  const app = existingApp();
  const adopted = await runRb(['init', '--existing-database'], { cwd: app });
  assert.is(adopted.code, 0, adopted.stderr);
  assert.match(adopted.stdout, 'created  package.json rb.schemas: ["public"]\n');
  assert.equal(readdirSync(path.join(app, 'db', 'migrations')), ['.gitkeep']);

  const fresh = existingApp();
  const url = await createEmptyDatabase(import.meta.url);
  const created = await runRb(['init'], { cwd: fresh, env: { DATABASE_URL: url } });
  assert.is(created.code, 0, created.stderr);
  assert.match(created.stdout, /^created {2}package\.json rb\.schemas: \["app"\]\n/);
  assert.match(readdirSync(path.join(fresh, 'db', 'migrations'))[0], /^\d{14}_create_schema_app\.sql$/);
});

test('rb init with a DATABASE_URL that does not answer: a warning, then a new app; --prod is refused; no package.json: one line, exit 2', async () => {
  const app = existingApp();
  const unreachable = await runRb(['init'], { cwd: app, env: { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' } });
  assert.is(unreachable.code, 0, unreachable.stderr);
  assert.is(unreachable.stderr, 'warning: could not look at DATABASE_URL to see whether it already has tables (cannot connect to postgres://nobody:****@127.0.0.1:1/none: connection refused (is the server running?); check the URL and that the server is reachable); setting up a new app\n');
  assert.match(unreachable.stdout, 'created  package.json rb.schemas: ["app"]');

  const prod = await runRb(['init', '--prod'], { cwd: app });
  assert.is(prod.code, 2);
  assert.is(prod.stderr, "rb: rb init sets up files in the app and never touches production; drop --prod (rb baseline --prod records production's schema)\n");

  const bare = tempDir('no-package-');
  const none = await runRb(['init'], { cwd: bare });
  assert.is(none.code, 2);
  assert.is(none.stderr, `rb: no package.json in ${bare} or any folder above it; rb init sets rb up in a Node app: run npm init -y first (and npm install --save-dev @rbsql/cli)\n`);
  assert.equal(readdirSync(bare), []);
});

test('rb init follows the layout package.json already sets (rb.migrationsDir, rb.backfillDir, schemas) and an existing pgtyped srcDir', async () => {
  const app = existingApp();
  const pkg = JSON.parse(readFileSync(path.join(app, 'package.json'), 'utf8')) as Record<string, unknown>;
  pkg.rb = { schemas: ['shop', 'audit'], migrationsDir: 'database/migrations', backfillDir: 'scripts/backfills' };
  writeFileSync(path.join(app, 'package.json'), JSON.stringify(pkg, null, 2));
  writeFileSync(path.join(app, 'pgtyped.config.json'), JSON.stringify({ transforms: [{ mode: 'sql', include: '**/*.sql' }], srcDir: './app/sql/' }));
  const result = await runRb(['init'], { cwd: app });
  assert.is(result.code, 0, result.stderr);
  const [file] = readdirSync(path.join(app, 'database', 'migrations'));
  assert.match(file, /^\d{14}_create_schema_shop_audit\.sql$/);
  assert.match(result.stdout, 'kept     package.json rb.schemas: ["shop","audit"]\n');
  assert.match(result.stdout, `created  database/migrations/${file}: first migration: creates the schema shop, audit\n`);
  assert.match(result.stdout, 'kept     pgtyped.config.json: queries in ./app/sql/\n');
  assert.match(result.stdout, 'created  app/sql/: annotated queries');
  assert.match(result.stdout, 'created  scripts/backfills/: backfill scripts (rb run-script)\n');
  assert.match(readFileSync(path.join(app, 'database', 'migrations', file), 'utf8'), 'create schema shop;\ncreate schema audit;\n\n-- migrate:down\ndrop schema audit;\ndrop schema shop;\n');
  assert.not.ok(existsSync(path.join(app, 'db')));
});

test.run();
