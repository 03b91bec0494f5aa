import { withClient, type Sql } from '../client.ts';
import { ConnectionError, RbError } from '../errors.ts';
import { parseDatabaseUrl, withDatabase } from '../target/database-url.ts';

/** Creates a database on the server behind adminUrl if it does not exist yet. */
export async function ensureDatabase(adminUrl: string, database: string): Promise<boolean> {
  return withClient(adminUrl, async (sql) => {
    const [row] = await sql<{ exists: boolean }[]>`select exists(select 1 from pg_database where datname = ${database}) as exists`;
    if (row.exists) return false;
    try {
      await sql.unsafe(`create database ${quoteIdent(database)}`);
    } catch (error) {
      // 42P04 duplicate_database: another process created it first.
      if ((error as { code?: string }).code !== '42P04') throw error;
      return false;
    }
    return true;
  });
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Creates the database a non-production URL names when it does not exist yet, as `dbmate up`
 * does, through the server's maintenance database "postgres". Other connection failures are
 * reported against the URL itself.
 */
export async function ensureUrlDatabase(url: string): Promise<boolean> {
  try {
    await withClient(url, (sql) => sql`select 1`);
    return false;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000' && !(error instanceof ConnectionError && error.message.includes('database does not exist'))) {
      throw error;
    }
  }
  return ensureDatabase(withDatabase(url, 'postgres'), parseDatabaseUrl(url).database);
}

/**
 * Drops (ending its connections: WITH (FORCE), PostgreSQL 13+) and creates an empty database.
 * A role without CREATEDB gets one line naming what needed the database.
 */
export async function recreateDatabase(sql: Sql, name: string, purpose: string): Promise<void> {
  try {
    await sql.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
    await sql.unsafe(`create database ${quoteIdent(name)}`);
  } catch (error) {
    const e = error as { code?: string; message?: string };
    // 42501 insufficient_privilege: the role may not create databases.
    if (e.code === '42501') {
      throw new RbError(`${purpose} needs to create the database ${name} but the role in the URL may not (${e.message}); grant it CREATEDB or point DATABASE_URL at a server where it may`);
    }
    throw error;
  }
}
