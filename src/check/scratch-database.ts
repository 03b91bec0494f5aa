import { randomBytes } from 'node:crypto';
import { withClient } from '../client.ts';
import { RbError } from '../errors.ts';
import { quoteIdent } from '../local-db/ensure-database.ts';
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
  const run = (statement: string) =>
    withClient(targetUrl, async (sql) => {
      try {
        await sql.unsafe(statement);
      } catch (error) {
        const e = error as { code?: string; message?: string };
        // 42501 insufficient_privilege: the role may not create databases.
        if (e.code === '42501') {
          throw new RbError(`rb check needs a scratch database but the role in the database URL may not create one (${e.message}); grant it CREATEDB or point DATABASE_URL at a server where it can`);
        }
        throw error;
      }
    });
  const create = () => run(`create database ${quoteIdent(name)}`);
  // WITH (FORCE) (PostgreSQL 13+) ends connections a failed step may have left open.
  const drop = () => run(`drop database if exists ${quoteIdent(name)} with (force)`);
  await create();
  return {
    name,
    url: withDatabase(targetUrl, name),
    recreate: async () => {
      await drop();
      await create();
    },
    drop,
  };
}
