import { randomBytes } from 'node:crypto';
import { withClient } from '../client.ts';
import { quoteIdent, recreateDatabase } from '../local-db/ensure-database.ts';
import { withDatabase } from '../target/database-url.ts';

/**
 * A throwaway database on the same server as the target (the embedded server or DATABASE_URL's),
 * so rb check needs no server of its own. The target database itself is never changed.
 */
export interface ScratchDatabase {
  name: string;
  url: string;
  /** Drops and re-creates it empty (used to rebuild after a down that did not undo its up). */
  recreate(): Promise<void>;
  drop(): Promise<void>;
}

export async function createScratchDatabase(targetUrl: string): Promise<ScratchDatabase> {
  const name = `rb_check_${process.pid}_${randomBytes(3).toString('hex')}`;
  const recreate = () => withClient(targetUrl, (sql) => recreateDatabase(sql, name, 'rb check (its scratch database)'));
  // WITH (FORCE) (PostgreSQL 13+) ends connections a failed step may have left open.
  const drop = () => withClient(targetUrl, async (sql) => void (await sql.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`)));
  await recreate();
  return { name, url: withDatabase(targetUrl, name), recreate, drop };
}
