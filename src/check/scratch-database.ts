import { randomBytes } from 'node:crypto';
import { asConnectionError, connect, type Sql } from '../client.ts';
import { quoteIdent, recreateDatabase } from '../local-db/ensure-database.ts';
import { withDatabase } from '../target/database-url.ts';
import { processExists } from '@rbsql/runtime/project';

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

/**
 * While rb check runs, a session on the target database named `rb check <scratch database>`
 * stays open: it says the scratch database is in use. A check killed with kill -9 cannot drop
 * its database; its session ends with the process, so the next rb check on that server drops
 * every `rb_check_*` database whose session is gone.
 */
const KEEPER_PREFIX = 'rb check ';

/** A scratch database a killed run left, dropped by this one. */
export interface DroppedLeftover {
  name: string;
  /** The pid of the rb that created it (from its name, `rb_check_<pid>_<random>`). */
  pid: number;
}

/** "dropped rb_check_4242_a1b2c3, a scratch database left by an rb that was killed (pid 4242)" */
export function describeDroppedLeftover(leftover: DroppedLeftover): string {
  const who = processExists(leftover.pid) && leftover.pid !== process.pid
    ? `an rb (pid ${leftover.pid}) whose session on this server ended`
    : `an rb that was killed (pid ${leftover.pid})`;
  return `dropped ${leftover.name}, a scratch database left by ${who}`;
}

async function dropStaleScratchDatabases(sql: Sql): Promise<DroppedLeftover[]> {
  const stale = await sql<{ datname: string }[]>`
    select d.datname from pg_database d
     where d.datname like 'rb\\_check\\_%'
       and not exists (select 1 from pg_stat_activity a where a.application_name = ${KEEPER_PREFIX} || d.datname)`;
  const dropped: DroppedLeftover[] = [];
  for (const { datname } of stale) {
    try {
      await sql.unsafe(`drop database if exists ${quoteIdent(datname)} with (force)`);
      dropped.push({ name: datname, pid: Number(/^rb_check_(\d+)_/.exec(datname)?.[1]) });
    } catch (error) {
      // Another role's leftover (must be owner): not ours to drop.
      if ((error as { code?: string }).code !== '42501') throw error;
    }
  }
  return dropped;
}

/**
 * `purpose` names the command in messages (rb drift builds its expected schema here too).
 * `onLeftoverDropped` hears of each scratch database of a killed run that this one dropped.
 */
export async function createScratchDatabase(
  targetUrl: string,
  purpose = 'rb check',
  options: { onLeftoverDropped?: (leftover: DroppedLeftover) => void } = {},
): Promise<ScratchDatabase> {
  const name = `rb_check_${process.pid}_${randomBytes(3).toString('hex')}`;
  const keeper = connect(targetUrl, { max: 1, connection: { application_name: `${KEEPER_PREFIX}${name}` } });
  try {
    await keeper`select 1`; // the session exists before the database does: no other check drops it
    for (const leftover of await dropStaleScratchDatabases(keeper)) options.onLeftoverDropped?.(leftover);
    await recreateDatabase(keeper, name, `${purpose} (its scratch database)`);
  } catch (error) {
    await keeper.end({ timeout: 5 });
    throw asConnectionError(error, targetUrl);
  }
  const recreate = () => recreateDatabase(keeper, name, `${purpose} (its scratch database)`);
  // WITH (FORCE) (PostgreSQL 13+) ends connections a failed step may have left open.
  const drop = async () => {
    try {
      await keeper.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
    } finally {
      await keeper.end({ timeout: 5 });
    }
  };
  return { name, url: withDatabase(targetUrl, name), recreate, drop };
}
