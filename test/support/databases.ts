import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type Sql } from '../../src/client.ts';
import { quoteIdent } from '../../src/local-db/ensure-database.ts';
import { withDatabase } from '../../src/target/database-url.ts';
import { runDbmate } from '../../src/migrations/dbmate.ts';
import { testServer } from './server.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const repoMigrations = path.join(repoRoot, 'db', 'migrations');

let counter = 0;

/** A database name unique to this test file and process: rbt_<file>_<pid>_<n>. */
function uniqueName(label: string): string {
  const slug = label.replace(/^.*\//, '').replace(/\.test\.ts$|\.ts$/, '').replace(/[^a-z0-9]+/gi, '_').toLowerCase().slice(0, 30);
  counter += 1;
  return `rbt_${slug}_${process.pid}_${counter}`;
}

async function admin<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
  const server = await testServer();
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
 * A template migrated once from the repository's db/migrations (named after their content
 * hash), then cloned per test file: CREATE DATABASE ... TEMPLATE is much faster than migrating.
 */
function migratedTemplate(): Promise<string> {
  templatePromise ??= (async () => {
    const hash = createHash('sha256');
    for (const file of readdirSync(repoMigrations).sort()) hash.update(file).update(readFileSync(path.join(repoMigrations, file)));
    const name = `rbt_template_${hash.digest('hex').slice(0, 12)}`;
    const server = await testServer();
    const exists = await admin(async (sql) => (await sql`select 1 from pg_database where datname = ${name}`).length > 0);
    if (!exists) {
      const building = `${name}_${process.pid}`;
      await admin((sql) => sql.unsafe(`create database ${quoteIdent(building)}`));
      const url = withDatabase(server.adminUrl, building);
      const result = await runDbmate({ url, migrationsDir: repoMigrations }, ['migrate']);
      if (!result.ok) throw new Error(`migrating the test template failed: ${result.stderr}`);
      await admin(async (sql) => {
        try {
          await sql.unsafe(`alter database ${quoteIdent(building)} rename to ${quoteIdent(name)}`);
        } catch (error) {
          // Another test process finished the same template first.
          if ((error as { code?: string }).code !== '42P04') throw error;
          await sql.unsafe(`drop database ${quoteIdent(building)}`);
        }
      });
    }
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
