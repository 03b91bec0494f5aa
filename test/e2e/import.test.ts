// rb import (issue 11): another tool's history (golang-migrate, Flyway, Prisma Migrate,
// node-pg-migrate) converted into dbmate files, and its tracking table on a database the tool
// migrated recorded as rb's. Each fixture is written here as the tool writes it; each database
// is migrated as the tool would have (its SQL, then its tracking rows).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMigrationText } from '../../src/migrations/migration-file.ts';
import { describeUrl } from '../../src/target/database-url.ts';
import { createEmptyDatabase, dropDatabases, withSql } from '../support/databases.ts';
import { runRb, tempProject, type RbRun } from '../support/project.ts';

const databases: string[] = [];
async function database(sqlText = ''): Promise<string> {
  const url = await createEmptyDatabase(import.meta.url);
  databases.push(url);
  if (sqlText) await withSql(url, (sql) => sql.unsafe(sqlText));
  return url;
}

/** An app in public (the tools' default) with the other tool's files under `dir`. */
function app(files: Record<string, string>): string {
  const cwd = tempProject();
  writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'adopting-app', private: true, rb: { schemas: ['public'] } }));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(cwd, file)), { recursive: true });
    writeFileSync(path.join(cwd, file), text);
  }
  return cwd;
}

const ok = (run: RbRun) => assert.is(run.code, 0, `${run.stdout}\n${run.stderr}`);
const one = async (url: string, query: string) => withSql(url, async (sql) => Object.values((await sql.unsafe(query))[0])[0]);
const converted = (cwd: string) => readdirSync(path.join(cwd, 'db', 'migrations')).sort();
const readConverted = (cwd: string, file: string) => readFileSync(path.join(cwd, 'db', 'migrations', file), 'utf8');
const statusLines = async (cwd: string, env: Record<string, string>) => {
  const status = await runRb(['status'], { cwd, env });
  ok(status);
  return status.stdout.trim().split('\n').slice(1);
};

/**
 * The proof every importer must pass: the converted files rebuild on an empty database what the
 * tool built (rb check: every down undoes its up, and db/schema.sql, written from the tool's
 * database by the import, equals the dump of a database built from the converted files).
 */
async function assertRebuilds(cwd: string, expectedChecked: number): Promise<void> {
  const fresh = await database();
  const check = await runRb(['check', '--json'], { cwd, env: { DATABASE_URL: fresh } });
  ok(check);
  const result = JSON.parse(check.stdout) as { ok: boolean; roundTripChecked: number; stages: Record<string, { status: string }> };
  assert.equal([result.ok, result.roundTripChecked, Object.values(result.stages).map((s) => s.status)], [true, expectedChecked, ['passed', 'passed', 'passed', 'passed', 'passed']]);
  const upgrade = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: fresh } });
  ok(upgrade);
}

// ---------------------------------------------------------------------------- golang-migrate
const GOLANG = {
  'migrations/1_create_users.up.sql': 'CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL);\n',
  'migrations/1_create_users.down.sql': 'DROP TABLE users;\n',
  'migrations/2_create_posts.up.sql': 'BEGIN;\nCREATE TABLE posts (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id));\nCREATE TABLE tags (name text PRIMARY KEY);\nCOMMIT;\n',
  'migrations/2_create_posts.down.sql': 'DROP TABLE tags;\nDROP TABLE posts;\n',
  'migrations/10_index_posts.up.sql': 'CREATE INDEX CONCURRENTLY posts_user_id_idx ON posts (user_id);',
  'migrations/10_index_posts.down.sql': 'DROP INDEX CONCURRENTLY posts_user_id_idx;',
  'migrations/README.md': 'golang-migrate skips files it cannot parse\n',
};
/** golang-migrate's own table (postgres driver), in the search_path's first schema: public. */
const golangTable = (version: number, dirty: boolean) =>
  `CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL);
   INSERT INTO schema_migrations (version, dirty) VALUES (${version}, ${dirty});`;
const golangBuilt = [GOLANG['migrations/1_create_users.up.sql'], GOLANG['migrations/2_create_posts.up.sql']].join('\n');

test('golang-migrate: files in order with up and down; its schema_migrations moved aside; the same versions recorded; nothing to apply', async () => {
  const cwd = app(GOLANG);
  const url = await database(`${golangBuilt}\nINSERT INTO users (email) VALUES ('a@example.com');`);
  await withSql(url, (sql) => sql.unsafe(GOLANG['migrations/10_index_posts.up.sql']));
  await withSql(url, (sql) => sql.unsafe(golangTable(10, false)));
  const env = { DATABASE_URL: url };

  // Before: rb refuses to read golang-migrate's table as dbmate's, and says what to run.
  const before = await runRb(['status'], { cwd, env });
  assert.is(before.code, 2);
  assert.is(
    before.stderr,
    'rb: public.schema_migrations is golang-migrate\'s tracking table (it has a "dirty" column), not dbmate\'s; convert the history and record it for rb with ' +
      'rb import golang-migrate <migrations dir> (with the same --database-url or --prod), which moves that table aside\n',
  );

  const run = await runRb(['import', 'golang-migrate', 'migrations', '--database-url', url], { cwd, env: {} });
  ok(run);
  const where = `${describeUrl(url)} (from --database-url)`;
  assert.is(run.stdout, [
    'Converted 3 golang-migrate migration(s) into db/migrations (3 new, 0 there already):',
    '  migrations/1_create_users.up.sql + migrations/1_create_users.down.sql -> 00000000000001_create_users.sql',
    '  migrations/2_create_posts.up.sql + migrations/2_create_posts.down.sql -> 00000000000002_create_posts.sql',
    '  migrations/10_index_posts.up.sql + migrations/10_index_posts.down.sql -> 00000000000010_index_posts.sql',
    `golang-migrate's public.schema_migrations on ${where}: version 10, clean`,
    'Moved public.schema_migrations to public.schema_migrations_golang_migrate, so dbmate\'s tracking table can take its name',
    `Recorded 3 migration(s) as applied on ${where}, without running them`,
    'Wrote db/schema.sql',
    '',
  ].join('\n'));
  assert.equal(converted(cwd), ['00000000000001_create_users.sql', '00000000000002_create_posts.sql', '00000000000010_index_posts.sql']);
  // The original SQL byte for byte inside the sections; BEGIN/COMMIT and CONCURRENTLY run as golang-migrate ran them.
  const posts = parseMigrationText(readConverted(cwd, '00000000000002_create_posts.sql'), 'x');
  assert.is(posts.up.sql, GOLANG['migrations/2_create_posts.up.sql']);
  assert.is(posts.down.sql, GOLANG['migrations/2_create_posts.down.sql']);
  assert.equal([posts.up.options, posts.down.options], [{ transaction: 'false' }, {}]);
  assert.is(
    readConverted(cwd, '00000000000010_index_posts.sql'),
    '-- rb:imported from migrations/10_index_posts.up.sql and migrations/10_index_posts.down.sql (golang-migrate version 10)\n' +
      '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY posts_user_id_idx ON posts (user_id);\n\n' +
      '-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY posts_user_id_idx;\n',
  );
  // golang-migrate's table is kept, renamed with its key; dbmate's took its place.
  assert.equal(await withSql(url, async (sql) => [...(await sql`select version::int, dirty from public.schema_migrations_golang_migrate`)]), [{ version: 10, dirty: false }]);
  assert.is(await one(url, `select count(*)::int from pg_constraint where conname = 'schema_migrations_golang_migrate_pkey'`), 1);
  assert.equal(await statusLines(cwd, env), [
    'applied    00000000000001_create_users.sql',
    'applied    00000000000002_create_posts.sql',
    'applied    00000000000010_index_posts.sql',
    '3 applied, 0 pending; current version: 00000000000010',
  ]);
  const upgrade = await runRb(['upgrade'], { cwd, env });
  ok(upgrade);
  assert.match(upgrade.stdout, ': up to date, nothing to apply\n');
  assert.is(await one(url, 'select count(*)::int from users'), 1);

  // Run again (another machine, the same files): nothing changes.
  const again = await runRb(['import', 'golang-migrate', 'migrations', '--database-url', url], { cwd, env: {} });
  ok(again);
  assert.match(again.stdout, 'Converted 3 golang-migrate migration(s) into db/migrations (0 new, 3 there already):\n');
  assert.match(again.stdout, `golang-migrate's public.schema_migrations_golang_migrate on ${where}: version 10, clean\n`);
  assert.match(again.stdout, `Recorded 0 migration(s) as applied on ${where}, without running them (3 recorded already)\n`);

  // rb status/upgrade for a database golang-migrate left at version 2 (of 1, 2, 10): 10 is pending.
  const older = await database(`${golangBuilt}\n${golangTable(2, false)}`);
  ok(await runRb(['import', 'golang-migrate', 'migrations', '--database-url', older], { cwd, env: {} }));
  const pending = await runRb(['upgrade', '--dry-run'], { cwd, env: { DATABASE_URL: older } });
  ok(pending);
  assert.match(pending.stdout, 'Would apply: 00000000000010_index_posts.sql\nDry run: 1 pending migration(s)');
  ok(await runRb(['upgrade'], { cwd, env: { DATABASE_URL: older } })); // db/schema.sql at the newest version again

  await assertRebuilds(cwd, 3);
});

test('golang-migrate: a dirty version is refused, naming it and migrate force; nothing is written', async () => {
  const cwd = app(GOLANG);
  const url = await database(`${golangBuilt}\n${golangTable(2, true)}`);
  const run = await runRb(['import', 'golang-migrate', 'migrations', '--database-url', url], { cwd, env: {} });
  assert.is(run.code, 4);
  assert.is(
    run.stderr,
    'rb: golang-migrate recorded version 2 as dirty in public.schema_migrations: that migration failed part-way, and golang-migrate refuses to go on too; ' +
      'finish or undo what it did by hand, then mark the database clean (migrate force 2, or the version before it if you undid it) and run rb import again\n',
  );
  assert.equal(converted(cwd), []);
  assert.equal(await withSql(url, async (sql) => [...(await sql`select version::int, dirty from public.schema_migrations`)]), [{ version: 2, dirty: true }]);
});

// ---------------------------------------------------------------------------- Flyway
const FLYWAY = {
  'sql/V1__Create_users.sql': 'CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL);\n',
  'sql/U1__Create_users.sql': 'DROP TABLE users;\n',
  'sql/V1.1__Add_name.sql': 'ALTER TABLE users ADD COLUMN name text;\n',
  'sql/U1.1__Add_name.sql': 'ALTER TABLE users DROP COLUMN name;\n',
  'sql/orders/V2__Create_orders.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n',
  'sql/orders/V10__Index_orders.sql': 'CREATE INDEX CONCURRENTLY orders_user_id_idx ON orders (user_id);\n',
  'sql/orders/V10__Index_orders.sql.conf': 'executeInTransaction=false\n',
  'sql/orders/U10__Index_orders.sql': 'DROP INDEX orders_user_id_idx;\n',
};
/** Flyway's table (PostgreSQL), as Flyway 9/10 creates it, in its default schema. */
const FLYWAY_TABLE = `
  CREATE TABLE public.flyway_schema_history (installed_rank INT NOT NULL, version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT NULL,
    script VARCHAR(1000) NOT NULL, checksum INT, installed_by VARCHAR(100) NOT NULL, installed_on TIMESTAMP NOT NULL DEFAULT now(), execution_time INT NOT NULL, success BOOLEAN NOT NULL);
  ALTER TABLE public.flyway_schema_history ADD CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank);
  CREATE INDEX flyway_schema_history_s_idx ON public.flyway_schema_history (success);`;
const flywayRow = (rank: number, version: string, script: string, success = true, type = 'SQL') =>
  `INSERT INTO public.flyway_schema_history VALUES (${rank}, '${version}', '${script}', '${type}', '${script}', 123, 'deploy', now(), 5, ${success});`;
const flywayBuilt = ['sql/V1__Create_users.sql', 'sql/V1.1__Add_name.sql', 'sql/orders/V2__Create_orders.sql'].map((f) => FLYWAY[f as keyof typeof FLYWAY]).join('\n');

test('Flyway on production: the status warning names rb import flyway; V/U files in version order (dotted versions padded); recorded with --prod --yes', async () => {
  const cwd = app(FLYWAY);
  const prod = await database(`${flywayBuilt}\n${FLYWAY_TABLE}\n${flywayRow(1, '1', 'V1__Create_users.sql')}\n${flywayRow(2, '1.1', 'V1.1__Add_name.sql')}\n${flywayRow(3, '2', 'orders/V2__Create_orders.sql')}`);
  await withSql(prod, (sql) => sql.unsafe(FLYWAY['sql/orders/V10__Index_orders.sql']));
  await withSql(prod, (sql) => sql.unsafe(flywayRow(4, '10', 'orders/V10__Index_orders.sql')));
  const env = { PROD_DATABASE_URL: prod };

  const before = await runRb(['status', '--prod'], { cwd, env });
  ok(before);
  assert.is(
    before.stderr,
    "warning: no migration is recorded on this database, but public.flyway_schema_history is Flyway's tracking table; convert that history into rb migrations " +
      "and record it here with rb import flyway <Flyway's migrations directory> --prod, or adopt the database as it is with rb baseline --prod\n",
  );

  const unconfirmed = await runRb(['import', 'flyway', 'sql', '--prod'], { cwd, env });
  assert.is(unconfirmed.code, 5);
  assert.match(unconfirmed.stderr, "  - write 4 converted file(s) into db/migrations\n  - record 4 migration(s) as applied without running them (Flyway's public.flyway_schema_history: 4 version(s) applied, none failed)\n");
  assert.equal(converted(cwd), [], 'nothing written before the confirmation');

  const run = await runRb(['import', 'flyway', 'sql', '--prod', '--yes'], { cwd, env });
  ok(run);
  assert.match(run.stderr, /^PRODUCTION: record the Flyway history as rb's\n[\s\S]*\nThis will:\n[\s\S]*\nConfirmed by --yes\.\n/m);
  assert.equal(run.stdout.split('\n').slice(0, 5), [
    'Converted 4 Flyway migration(s) into db/migrations (4 new, 0 there already):',
    '  sql/V1__Create_users.sql + sql/U1__Create_users.sql -> 00000000000010_create_users.sql',
    '  sql/V1.1__Add_name.sql + sql/U1.1__Add_name.sql -> 00000000000011_add_name.sql',
    '  sql/orders/V2__Create_orders.sql -> 00000000000020_create_orders.sql',
    '  sql/orders/V10__Index_orders.sql + sql/orders/U10__Index_orders.sql -> 00000000000100_index_orders.sql',
  ]);
  assert.match(run.stdout, /\nRecorded 4 migration\(s\) as applied on PRODUCTION [^\n]+, without running them\n$/);
  assert.not.match(run.stdout, 'Wrote db/schema.sql', 'production does not write db/schema.sql');
  const orders = parseMigrationText(readConverted(cwd, '00000000000020_create_orders.sql'), 'x');
  assert.equal(orders.directives.irreversible?.reason, 'Flyway had no undo migration (U2__...) for it');
  assert.equal(parseMigrationText(readConverted(cwd, '00000000000100_index_orders.sql'), 'x').up.options, { transaction: 'false' }, 'executeInTransaction=false');
  const status = await runRb(['status', '--prod'], { cwd, env });
  ok(status);
  assert.equal(status.stdout.trim().split('\n').slice(1), [
    'applied    00000000000010_create_users.sql',
    'applied    00000000000011_add_name.sql',
    'applied    00000000000020_create_orders.sql',
    'applied    00000000000100_index_orders.sql',
    '4 applied, 0 pending; current version: 00000000000100',
  ]);
  const upgrade = await runRb(['upgrade', '--prod', '--yes'], { cwd, env });
  ok(upgrade);
  assert.match(upgrade.stdout, ': up to date, nothing to apply\n');
});

test('Flyway: a failed migration, a repeatable one and a Java one are refused with what to do', async () => {
  const cwd = app(FLYWAY);
  const failed = await database(`${FLYWAY_TABLE}\n${flywayRow(1, '1', 'V1__Create_users.sql')}\n${flywayRow(2, '1.1', 'V1.1__Add_name.sql', false)}`);
  const run = await runRb(['import', 'flyway', 'sql', '--database-url', failed], { cwd, env: {} });
  assert.is(run.code, 4);
  assert.is(
    run.stderr,
    'rb: Flyway recorded V1.1__Add_name.sql (version 1.1) as failed in public.flyway_schema_history; Flyway refuses to migrate on from there too: ' +
      'repair what it left by hand, remove the failed entry (flyway repair), then run rb import again\n',
  );
  assert.equal(converted(cwd), []);

  const java = await database(`${FLYWAY_TABLE}\n${flywayRow(1, '1', 'V1__Create_users.sql')}\n${flywayRow(2, '1.1', 'db.migration.V1_1__Add_name', true, 'JDBC')}`);
  const javaRun = await runRb(['import', 'flyway', 'sql', '--database-url', java], { cwd, env: {} });
  assert.is(javaRun.code, 2);
  assert.match(javaRun.stderr, 'rb: public.flyway_schema_history records version 1.1 (db.migration.V1_1__Add_name) as a Java migration; rb cannot convert it');

  writeFileSync(path.join(cwd, 'sql', 'R__views.sql'), 'CREATE OR REPLACE VIEW user_emails AS SELECT email FROM users;\n');
  const repeatable = await runRb(['import', 'flyway', 'sql'], { cwd, env: {} });
  assert.is(repeatable.code, 2);
  assert.is(
    repeatable.stderr,
    "rb: sql/R__views.sql: a Flyway repeatable migration; rb has none (they run again whenever they change): move the file out of sql, run rb import, " +
      'then put its SQL (CREATE OR REPLACE ...) in a new migration (rb new-migration), which can run on the databases Flyway ran it on too\n',
  );
  assert.equal(converted(cwd), []);
});

test('Flyway: a baseline row stands for the versions up to it; an undone version is pending again', async () => {
  const cwd = app(FLYWAY);
  const url = await database(
    `${flywayBuilt}\n${FLYWAY_TABLE}\n${flywayRow(1, '1.1', '<< Flyway Baseline >>', true, 'BASELINE')}\n${flywayRow(2, '2', 'orders/V2__Create_orders.sql')}\n` +
      `${flywayRow(3, '10', 'orders/V10__Index_orders.sql')}\n${flywayRow(4, '10', 'orders/U10__Index_orders.sql', true, 'UNDO_SQL')}`,
  );
  const run = await runRb(['import', 'flyway', 'sql', '--database-url', url], { cwd, env: {} });
  ok(run);
  assert.match(run.stdout, ": 3 version(s) applied, baseline 1.1, none failed\n");
  assert.equal(await statusLines(cwd, { DATABASE_URL: url }), [
    'applied    00000000000010_create_users.sql',
    'applied    00000000000011_add_name.sql',
    'applied    00000000000020_create_orders.sql',
    'pending    00000000000100_index_orders.sql',
    '3 applied, 1 pending; current version: 00000000000020',
  ]);
  const upgrade = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  ok(upgrade);
  assert.match(upgrade.stdout, /^Applied: 00000000000100_index_orders\.sql\n/);
  await assertRebuilds(cwd, 3);
});

// ---------------------------------------------------------------------------- Prisma Migrate
const PRISMA = {
  'prisma/migrations/migration_lock.toml': '# Please do not edit this file manually\nprovider = "postgresql"\n',
  'prisma/migrations/20230101120000_init/migration.sql':
    '-- CreateTable\nCREATE TABLE "User" (\n    "id" SERIAL NOT NULL,\n    "email" TEXT NOT NULL,\n\n    CONSTRAINT "User_pkey" PRIMARY KEY ("id")\n);\n\n' +
    '-- CreateIndex\nCREATE UNIQUE INDEX "User_email_key" ON "User"("email");\n',
  'prisma/migrations/20230215093000_add_posts/migration.sql':
    '-- CreateTable\nCREATE TABLE "Post" (\n    "id" SERIAL NOT NULL,\n    "authorId" INTEGER NOT NULL,\n\n    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")\n);\n\n' +
    '-- AddForeignKey\nALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;\n',
};
const PRISMA_TABLE = `CREATE TABLE "_prisma_migrations" ("id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ, "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0);`;
const prismaRow = (id: number, name: string, finished: boolean, rolledBack = false, logs = 'NULL') =>
  `INSERT INTO "_prisma_migrations" VALUES ('${id}', 'c', ${finished ? 'now()' : 'NULL'}, '${name}', ${logs}, ${rolledBack ? 'now()' : 'NULL'}, now() + interval '${id} second', ${finished ? 1 : 0});`;
const prismaBuilt = Object.entries(PRISMA).filter(([f]) => f.endsWith('.sql')).map(([, sql]) => sql).join('\n');

test('Prisma Migrate: migration.sql folders become up-only files marked irreversible; a rolled-back then finished attempt counts as applied', async () => {
  const cwd = app(PRISMA);
  const url = await database(
    `${prismaBuilt}\n${PRISMA_TABLE}\n${prismaRow(1, '20230101120000_init', true)}\n${prismaRow(2, '20230215093000_add_posts', false, true)}\n${prismaRow(3, '20230215093000_add_posts', true)}`,
  );
  const run = await runRb(['import', 'prisma', 'prisma/migrations', '--database-url', url], { cwd, env: {} });
  ok(run);
  assert.match(run.stdout, '  prisma/migrations/20230101120000_init/migration.sql -> 20230101120000_init.sql\n');
  assert.match(run.stdout, "_prisma_migrations on ");
  assert.match(run.stdout, ': 2 migration(s) finished, 1 rolled back, none failed\n');
  assert.is(
    readConverted(cwd, '20230215093000_add_posts.sql'),
    '-- rb:imported from prisma/migrations/20230215093000_add_posts/migration.sql (Prisma Migrate version 20230215093000)\n' +
      `-- migrate:up\n${PRISMA['prisma/migrations/20230215093000_add_posts/migration.sql']}\n-- migrate:down\n-- rb:irreversible Prisma Migrate writes no down migrations\n`,
  );
  assert.equal(await statusLines(cwd, { DATABASE_URL: url }), [
    'applied    20230101120000_init.sql',
    'applied    20230215093000_add_posts.sql',
    '2 applied, 0 pending; current version: 20230215093000',
  ]);
  const upgrade = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  ok(upgrade);
  assert.match(upgrade.stdout, ': up to date, nothing to apply\n');
  const downgrade = await runRb(['downgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(downgrade.code, 2, 'an irreversible file is not rolled back');
  await assertRebuilds(cwd, 0);
});

test('Prisma Migrate: a migration started but not finished is refused, naming prisma migrate resolve', async () => {
  const cwd = app(PRISMA);
  const url = await database(`${PRISMA_TABLE}\n${prismaRow(1, '20230101120000_init', true)}\n${prismaRow(2, '20230215093000_add_posts', false, false, `'relation "Post" already exists'`)}`);
  const run = await runRb(['import', 'prisma', 'prisma/migrations', '--database-url', url], { cwd, env: {} });
  assert.is(run.code, 4);
  assert.is(
    run.stderr,
    'rb: Prisma Migrate recorded 20230215093000_add_posts as started but not finished in public._prisma_migrations: it failed (relation "Post" already exists), ' +
      'and Prisma refuses to migrate on from there too; repair what it left, mark it with prisma migrate resolve --rolled-back 20230215093000_add_posts ' +
      '(or --applied 20230215093000_add_posts if you completed it by hand), then run rb import again\n',
  );
  assert.is(existsSync(path.join(cwd, 'db', 'migrations', '20230101120000_init.sql')), false);
});

// ---------------------------------------------------------------------------- node-pg-migrate
const NODE_PG_MIGRATE = {
  'migrations/1700000000000_create-accounts.sql': '-- Up Migration\nCREATE TABLE accounts (id serial PRIMARY KEY, name text NOT NULL);\n\n-- Down Migration\nDROP TABLE accounts;\n',
  'migrations/1700000000500_add-balance.sql': '-- Up Migration\nALTER TABLE accounts ADD COLUMN balance numeric NOT NULL DEFAULT 0;\n-- Down Migration\nALTER TABLE accounts DROP COLUMN balance;\n',
};
const PGMIGRATIONS = `CREATE TABLE public.pgmigrations (id serial PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);
  INSERT INTO public.pgmigrations (name, run_on) VALUES ('1700000000000_create-accounts', now()), ('1700000000500_add-balance', now());`;

test('node-pg-migrate: SQL migrations split at their Up/Down comments; pgmigrations recorded; nothing to apply', async () => {
  const cwd = app(NODE_PG_MIGRATE);
  const built = Object.values(NODE_PG_MIGRATE).map((text) => text.split('-- Down Migration')[0]).join('\n');
  const url = await database(`${built}\n${PGMIGRATIONS}\nINSERT INTO accounts (name) VALUES ('a'), ('b');`);
  const run = await runRb(['import', 'node-pg-migrate', 'migrations', '--database-url', url], { cwd, env: {} });
  ok(run);
  assert.equal(converted(cwd), ['01700000000000_create_accounts.sql', '01700000000500_add_balance.sql']);
  assert.is(
    readConverted(cwd, '01700000000500_add_balance.sql'),
    '-- rb:imported from migrations/1700000000500_add-balance.sql (node-pg-migrate version 1700000000500)\n' +
      '-- migrate:up\n-- Up Migration\nALTER TABLE accounts ADD COLUMN balance numeric NOT NULL DEFAULT 0;\n\n' +
      '-- migrate:down\n-- Down Migration\nALTER TABLE accounts DROP COLUMN balance;\n',
  );
  assert.match(run.stdout, "node-pg-migrate's public.pgmigrations on ");
  assert.equal(await statusLines(cwd, { DATABASE_URL: url }), [
    'applied    01700000000000_create_accounts.sql',
    'applied    01700000000500_add_balance.sql',
    '2 applied, 0 pending; current version: 01700000000500',
  ]);
  const upgrade = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  ok(upgrade);
  assert.match(upgrade.stdout, ': up to date, nothing to apply\n');
  assert.is(await one(url, 'select count(*)::int from accounts'), 2);
  // A new rb migration sorts after the imported ones.
  ok(await runRb(['new-migration', 'add owner'], { cwd, env: {} }));
  assert.match(converted(cwd).at(-1)!, /^2\d{13}_add_owner\.sql$/);
  writeFileSync(path.join(cwd, 'db', 'migrations', converted(cwd).at(-1)!), '-- migrate:up\nALTER TABLE accounts ADD COLUMN owner text;\n\n-- migrate:down\nALTER TABLE accounts DROP COLUMN owner;\n');
  const next = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  ok(next);
  assert.match(next.stdout, /^Applied: 2\d{13}_add_owner\.sql\n/);
  await assertRebuilds(cwd, 3);
});

test('node-pg-migrate: a JavaScript migration is refused; a database it never migrated has nothing to record', async () => {
  const cwd = app({ ...NODE_PG_MIGRATE, 'migrations/1700000001000_seed.js': 'exports.up = (pgm) => {};\n' });
  const run = await runRb(['import', 'node-pg-migrate', 'migrations'], { cwd, env: {} });
  assert.is(run.code, 2);
  assert.match(run.stderr, "rb: migrations/1700000001000_seed.js: a JavaScript/TypeScript migration (node-pg-migrate's builder); rb imports node-pg-migrate's SQL migrations only");
  const sqlOnly = app(NODE_PG_MIGRATE);
  const empty = await database();
  const none = await runRb(['import', 'node-pg-migrate', 'migrations', '--database-url', empty], { cwd: sqlOnly, env: {} });
  assert.is(none.code, 2);
  assert.match(none.stderr, ' has no node-pg-migrate tracking table, so there is nothing to record; if node-pg-migrate never migrated this database, run rb import without a database (it converts the files only) and rb upgrade to apply them\n');
  const filesOnly = await runRb(['import', 'node-pg-migrate', 'migrations'], { cwd: sqlOnly, env: {} });
  ok(filesOnly);
  assert.match(filesOnly.stdout, 'Next: record what node-pg-migrate applied on each database it migrated: rb import node-pg-migrate migrations --database-url <its URL> (or --prod)\n');
  assert.equal(converted(sqlOnly).length, 2);
});

test('an unknown tool is refused with the list', async () => {
  const run = await runRb(['import', 'liquibase', 'db'], { cwd: app({}), env: {} });
  assert.is(run.code, 2);
  assert.is(run.stderr, 'rb: rb import does not know "liquibase"; it imports golang-migrate, flyway, prisma, node-pg-migrate: rb import flyway db/sql\n');
});

test.after(async () => {
  await dropDatabases(databases);
});

test.run();
