import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type Sql } from '../../src/client.ts';
import { quoteIdent } from '../../src/local-db/ensure-database.ts';
import { withDatabase } from '../../src/target/database-url.ts';
import { runDbmate } from '../../src/migrations/dbmate.ts';
import { testServer } from './server.ts';
import { testProcessPrefix } from './temp.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const repoMigrations = path.join(repoRoot, 'db', 'migrations');

let counter = 0;

/**
 * A database name unique to this test file and process: rbt_<run>_<process>_<file>_<n>, short
 * enough for rb's derived names (`<name>_rb_shadow`) to stay within PostgreSQL's 63 bytes.
 */
function uniqueName(label: string): string {
  const slug = label.replace(/^.*\//, '').replace(/\.test\.ts$|\.ts$/, '').replace(/[^a-z0-9]+/gi, '_').toLowerCase().slice(0, 20);
  counter += 1;
  return `${testProcessPrefix}${slug}_${counter}`;
}

/**
 * On a server the tests do not own (TEST_DATABASE_URL), drop this process's databases when it is
 * done: those the helpers created and those rb derived from them (shadow databases). An embedded
 * or container server is removed with the process, databases and all.
 */
let serverStarted = false;
let dropping: Promise<void> | undefined;
process.on('beforeExit', () => {
  if (dropping || !serverStarted) return;
  dropping = dropTestDatabases();
});

async function dropTestDatabases(): Promise<void> {
  const server = await testServer();
  if (server.kind !== 'env') return;
  await admin(async (sql) => {
    const names = await sql<{ datname: string }[]>`
      select datname from pg_database where starts_with(datname, ${testProcessPrefix}) order by datname desc`;
    for (const { datname } of names) await sql.unsafe(`drop database if exists ${quoteIdent(datname)} with (force)`);
  });
}

async function admin<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
  const server = await testServer();
  serverStarted = true;
  const sql = connect(server.adminUrl, { max: 1 });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** An empty database for one test file. Returns its URL. */
export async function createEmptyDatabase(label: string): Promise<string> {
  const name = uniqueName(label);
  await admin((sql) => sql.unsafe(`create database ${quoteIdent(name)}`));
  return withDatabase((await testServer()).adminUrl, name);
}

let templatePromise: Promise<string> | undefined;

/**
 * A template migrated once per test process from the repository's db/migrations, then cloned per
 * test file: CREATE DATABASE ... TEMPLATE is much faster than migrating. It belongs to this
 * process (dropped with its other databases), so runs never share or leave one behind.
 */
function migratedTemplate(): Promise<string> {
  templatePromise ??= (async () => {
    const hash = createHash('sha256');
    for (const file of readdirSync(repoMigrations).sort()) hash.update(file).update(readFileSync(path.join(repoMigrations, file)));
    const name = `${testProcessPrefix}template_${hash.digest('hex').slice(0, 8)}`;
    const server = await testServer();
    await admin((sql) => sql.unsafe(`create database ${quoteIdent(name)}`));
    const result = await runDbmate({ url: withDatabase(server.adminUrl, name), migrationsDir: repoMigrations }, ['migrate']);
    if (!result.ok) throw new Error(`migrating the test template failed: ${result.stderr}`);
    return name;
  })();
  return templatePromise;
}

/** A database with the repository's migrations applied, cloned from the template. */
export async function createMigratedDatabase(label: string): Promise<string> {
  const template = await migratedTemplate();
  const name = uniqueName(label);
  await admin((sql) => sql.unsafe(`create database ${quoteIdent(name)} template ${quoteIdent(template)}`));
  return withDatabase((await testServer()).adminUrl, name);
}

/** Runs work with a short-lived client on url. */
export async function withSql<T>(url: string, work: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = connect(url, { max: 1 });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Drops databases a test file created (ending their sessions), by URL. */
export async function dropDatabases(urls: string[]): Promise<void> {
  await admin(async (sql) => {
    for (const url of urls) await sql.unsafe(`drop database if exists ${quoteIdent(decodeURIComponent(new URL(url).pathname.slice(1)))} with (force)`);
  });
}
