import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Sql } from '../client.ts';
import { InterruptedError, RbError } from '../errors.ts';
import { cancelBackend, stopSignalOf } from '../interrupt.ts';
import { quoteIdent } from '../local-db/ensure-database.ts';
import { copyPropertiesStatements, readDatabaseProperties } from '../restore/database-properties.ts';
import { thisRun } from '../restore/run-owner.ts';
import type { EndedSession } from '../restore/swap-database.ts';
import { connectMaintenance, describeLeftovers, dropDatabase, dropLeftoverDatabases, workDatabaseName, type LeftoverReport } from '../restore/work-database.ts';
import { withDatabase } from '../target/database-url.ts';

/**
 * A throwaway copy of the local database, `<local>_rb_analyze_<host>_<pid>`, made with
 * CREATE DATABASE ... TEMPLATE (a file-level copy: seconds for gigabytes, no dump). Named like the
 * restore's work databases (src/restore/work-database.ts), so the next analyze or restore drops
 * the copy of a run that was killed.
 */
export interface DatabaseCopy {
  name: string;
  url: string;
  seconds: number;
  /** Idle sessions on the local database ended so it could be copied. */
  endedSessions: EndedSession[];
  leftovers: LeftoverReport;
  drop(): Promise<void>;
}

export interface CopyOptions {
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
  /** How long to wait for busy sessions on the local database (default 30 s). */
  maxWaitMs?: number;
}

interface Session extends EndedSession {
  state: string | null;
  seconds: number;
  query: string | null;
}

async function otherSessions(admin: Sql, database: string): Promise<Session[]> {
  const rows = await admin<Session[]>`
    select pid, application_name as application, usename as user, host(client_addr) as client, state,
           floor(extract(epoch from now() - coalesce(query_start, backend_start)))::int as seconds,
           left(regexp_replace(query, '\\s+', ' ', 'g'), 60) as query
      from pg_stat_activity
     where datname = ${database} and pid <> pg_backend_pid() and backend_type = 'client backend'`;
  return rows;
}

function describe(session: Session): string {
  const who = [session.application, `${session.user}@${session.client ?? 'local socket'}`].filter(Boolean).join(', ');
  return `pid ${session.pid} (${who}; ${session.state ?? 'state hidden'} for ${session.seconds}s${session.query ? `: ${session.query}` : ''})`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ATTEMPTS = 5;

/**
 * CREATE DATABASE ... TEMPLATE needs the local database to itself. Idle sessions (an app's pool,
 * a GUI client) hold nothing and reconnect: they are ended, and named. Sessions in a transaction
 * or a query are waited for (up to maxWaitMs), never ended: their work is theirs.
 */
async function clearSessions(admin: Sql, database: string, options: CopyOptions, ended: EndedSession[]): Promise<void> {
  const maxWaitMs = options.maxWaitMs ?? 30000;
  const started = performance.now();
  let reported = false;
  for (;;) {
    const sessions = await otherSessions(admin, database);
    const busy = sessions.filter((x) => x.state !== 'idle');
    for (const s of sessions.filter((x) => x.state === 'idle')) {
      let terminated: boolean;
      try {
        [{ terminated }] = await admin<{ terminated: boolean }[]>`select pg_terminate_backend(${s.pid}) as terminated`;
      } catch (error) {
        // 42501: another role's session, which this role may not end: it blocks the copy like a busy one.
        if ((error as { code?: string }).code !== '42501') throw error;
        busy.push(s);
        continue;
      }
      if (!terminated) continue;
      ended.push({ pid: s.pid, application: s.application, user: s.user, client: s.client });
      options.onProgress?.(`ended idle session pid ${s.pid} (${[s.application, `${s.user}@${s.client ?? 'local socket'}`].filter(Boolean).join(', ')}) on ${database} to copy it`);
    }
    if (busy.length === 0) return;
    const waited = performance.now() - started;
    if (waited > maxWaitMs) {
      throw new RbError(
        `cannot copy ${database}: ${busy.length} session(s) on it stayed busy for ${Math.round(waited / 1000)}s, or belong to a role rb may not end (${busy.map(describe).join('; ')}), ` +
          'and CREATE DATABASE ... TEMPLATE needs the database to itself; let them finish (or end them) and run rb upgrade --dry-run --analyze again; nothing was changed',
      );
    }
    if (!reported && waited > 1000) {
      reported = true;
      options.onProgress?.(`waiting for ${busy.length} busy session(s) on ${database} to finish before copying it: ${busy.map(describe).join('; ')}`);
    }
    if (options.signal?.aborted) throw new InterruptedError('stopped before the copy was made', stopSignalOf(options.signal));
    await sleep(100);
  }
}

/** Copies the database localUrl names into a new one on the same server (PostgreSQL 15+: strategy file_copy). */
export async function copyLocalDatabase(localUrl: string, localName: string, options: CopyOptions = {}): Promise<DatabaseCopy> {
  const admin = await connectMaintenance(localUrl, localName);
  const name = workDatabaseName(localName, 'analyze');
  let created = false;
  const drop = async () => {
    try {
      await dropDatabase(admin, name);
    } finally {
      await admin.end({ timeout: 5 });
    }
  };
  try {
    const leftovers = await dropLeftoverDatabases(admin);
    for (const line of describeLeftovers(leftovers)) options.onProgress?.(line);
    const properties = await readDatabaseProperties(admin, localName);
    if (!properties) throw new RbError(`the local database ${localName} does not exist; run rb upgrade to create and migrate it`);
    const [server] = await admin<{ version: number; pid: number }[]>`select current_setting('server_version_num')::int as version, pg_backend_pid() as pid`;
    // FILE_COPY copies the files (one checkpoint) rather than WAL-logging every page: much faster for a database with data.
    const strategy = server.version >= 150000 ? ' strategy = file_copy' : '';
    let seconds = 0;
    const ended: EndedSession[] = [];
    // Ctrl-C while the copy runs: cancel it (the failed CREATE leaves nothing behind).
    const cancel = () => void cancelBackend(withDatabase(localUrl, 'postgres'), server.pid).catch(() => undefined);
    options.signal?.addEventListener('abort', cancel);
    try {
      for (let attempt = 1; ; attempt += 1) {
        await clearSessions(admin, localName, options, ended);
        const started = performance.now();
        try {
          await admin.unsafe(`create database ${quoteIdent(name)} template ${quoteIdent(localName)} owner ${quoteIdent(properties.owner)}${strategy}`);
          created = true;
          break;
        } catch (error) {
          const e = error as { code?: string; message?: string };
          if (options.signal?.aborted) throw new InterruptedError('stopped while the copy was made', stopSignalOf(options.signal));
          if (e.code === '42501') {
            throw new RbError(`copying ${localName} needs a role that may create databases and owns ${localName} (or a superuser): ${e.message}; nothing was changed`);
          }
          // 55006 object_in_use: a session (re)connected between the check and the copy.
          if (e.code !== '55006' || attempt === ATTEMPTS) throw error;
        } finally {
          seconds += (performance.now() - started) / 1000;
        }
      }
    } finally {
      options.signal?.removeEventListener('abort', cancel);
    }
    const note = `rb upgrade --dry-run --analyze copy of ${localName} by pid ${thisRun.pid} on host ${os.hostname()}, started ${new Date().toISOString()}; dropped when the analysis ends, or by a later analyze or restore if this run died`;
    await admin.unsafe(`comment on database ${quoteIdent(name)} is '${note.replace(/'/g, "''")}'`);
    // Database-level settings (search_path...) are not part of the template copy.
    for (const statement of copyPropertiesStatements(name, properties)) await admin.unsafe(statement);
    return { name, url: withDatabase(localUrl, name), seconds, endedSessions: ended, leftovers, drop };
  } catch (error) {
    if (created) await drop();
    else await admin.end({ timeout: 5 });
    throw error;
  }
}
