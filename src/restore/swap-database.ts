import type { Sql } from '../client.ts';
import { RbError } from '../errors.ts';
import { quoteIdent } from '../local-db/ensure-database.ts';

/** A session on the local database that the swap ended. */
export interface EndedSession {
  pid: number;
  application: string;
  user: string;
  /** Client address, null for a Unix socket. */
  client: string | null;
}

export interface SwapResult {
  ended: EndedSession[];
  /** Set when the replaced database could not be dropped (a later restore drops it). */
  dropFailure?: string;
}

// ALTER DATABASE ... RENAME needs the database to have no other sessions. Between ending them and
// renaming, an app's pool may reconnect: end them again and retry a few times.
const ATTEMPTS = 5;

/** Ends the client sessions on a database; returns who they were. The rename waits (up to 5 s) for them to go. */
async function endSessions(admin: Sql, database: string): Promise<EndedSession[]> {
  const rows = await admin<{ pid: number; application: string; user: string; client: string | null; ended: boolean }[]>`
    select pid, application_name as application, usename as user, host(client_addr) as client, pg_terminate_backend(pid) as ended
    from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid() and backend_type = 'client backend'`;
  return rows.map(({ pid, application, user, client }) => ({ pid, application, user, client }));
}

/**
 * Waits (up to 5 s) until no other backend is connected to these databases: a backend whose
 * client just closed (rb's own) or that was terminated takes a moment to exit, and the rename
 * would otherwise wait for it in steps of 100 ms.
 */
async function waitUntilIdle(admin: Sql, databases: string[]): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    const [row] = await admin<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = any(${databases}) and pid <> pg_backend_pid() and backend_type = 'client backend'`;
    if (row.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Puts the work database in the local database's place in one transaction: the local database
 * (if any) is renamed to `replaced`, the work database to the local name, and the local
 * database's comment moves with the name. Either both renames happen or neither does. The
 * replaced database is dropped afterwards.
 */
export async function swapInDatabase(admin: Sql, names: { work: string; local: string; replaced: string; localExists: boolean; comment: string | null }): Promise<SwapResult> {
  const ended: EndedSession[] = [];
  for (let attempt = 1; ; attempt += 1) {
    if (names.localExists) ended.push(...(await endSessions(admin, names.local)));
    ended.push(...(await endSessions(admin, names.work)));
    await waitUntilIdle(admin, [names.local, names.work]);
    try {
      await admin.begin(async (tx) => {
        if (names.localExists) await tx.unsafe(`alter database ${quoteIdent(names.local)} rename to ${quoteIdent(names.replaced)}`);
        await tx.unsafe(`alter database ${quoteIdent(names.work)} rename to ${quoteIdent(names.local)}`);
        const comment = names.comment === null ? 'null' : `'${names.comment.replace(/'/g, "''")}'`;
        await tx.unsafe(`comment on database ${quoteIdent(names.local)} is ${comment}`);
      });
      break;
    } catch (error) {
      // 55006 object_in_use: a session (re)connected between the terminate and the rename.
      if ((error as { code?: string }).code !== '55006') throw error;
      if (attempt === ATTEMPTS) {
        throw new RbError(
          `sessions kept connecting to ${names.local} while rb tried to swap the restored database in (${attempt} attempts); stop the app or whatever reconnects to it and run the restore again`,
        );
      }
    }
  }
  if (!names.localExists) return { ended };
  try {
    await admin.unsafe(`drop database if exists ${quoteIdent(names.replaced)} with (force)`);
    return { ended };
  } catch (error) {
    return { ended, dropFailure: error instanceof Error ? error.message : String(error) };
  }
}
