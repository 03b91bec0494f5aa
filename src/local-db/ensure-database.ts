import { withClient } from '../client.ts';

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
