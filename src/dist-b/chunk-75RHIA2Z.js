import {
  DBMATE_SESSION_PREFIX,
  dbmateSessionName
} from "./chunk-J3NTZTBQ.js";
import {
  stopSignalOf
} from "./chunk-NMHWLE4Q.js";
import {
  asConnectionError,
  connect
} from "./chunk-EKB3CR5R.js";
import {
  maskUrl
} from "./chunk-ZES4J75L.js";
import {
  ConnectionError,
  InterruptedError,
  MigrationError
} from "./chunk-RVO3MYFU.js";

// dist/migrations/migration-sessions.js
function escapeLike(text) {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
async function migrationSessions(sql, applicationName) {
  const pattern = applicationName ? escapeLike(applicationName) : `${escapeLike(DBMATE_SESSION_PREFIX)}%`;
  const rows = await sql`
    select pid, application_name, state,
           floor(extract(epoch from now() - coalesce(query_start, backend_start)))::int as seconds,
           left(regexp_replace(query, '\\s+', ' ', 'g'), 80) as query
      from pg_stat_activity
     where datname = current_database() and pid <> pg_backend_pid()
       and application_name like ${pattern}
     order by backend_start`;
  return rows.map((r) => ({ pid: r.pid, applicationName: r.application_name, state: r.state, seconds: r.seconds ?? 0, query: r.query }));
}
function describeSessions(sessions) {
  return sessions.map((s) => `backend pid ${s.pid} ("${s.applicationName}", ${s.state ?? "state hidden"} for ${s.seconds}s${s.query ? `: ${s.query}` : ""})`).join(", ");
}
var sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitForEarlierSessions(sql, options) {
  const pollMs = options.pollMs ?? 100;
  const reportAfterMs = options.reportAfterMs ?? 1e3;
  const reportEveryMs = options.reportEveryMs ?? 3e4;
  const maxWaitMs = options.maxWaitMs ?? 10 * 60 * 1e3;
  const started = Date.now();
  let nextReport = reportAfterMs;
  for (; ; ) {
    options.beforeQuery?.();
    const sessions = await migrationSessions(sql);
    if (sessions.length === 0)
      return;
    const waited = Date.now() - started;
    if (waited >= maxWaitMs) {
      throw new MigrationError(`a migration session of an earlier rb run is still active after ${Math.round(waited / 1e3)}s: ${describeSessions(sessions)}; that rb was stopped (killed?) while dbmate applied a migration, and dbmate carries on until its statement ends; wait for it, or end it (select pg_terminate_backend(${sessions[0].pid})) and run rb status to see what was applied`);
    }
    if (waited >= nextReport) {
      options.onWait?.({ waitedMs: waited, sessions });
      nextReport += reportEveryMs;
    }
    if (options.signal?.aborted) {
      const signal = stopSignalOf(options.signal);
      throw new InterruptedError(`stopped by ${signal} while waiting for a migration session of an earlier rb run to end; nothing was applied`, signal);
    }
    await sleep(pollMs);
  }
}
async function endOwnSessions(sql, timeoutMs = 3e4) {
  const name = dbmateSessionName();
  const started = Date.now();
  for (; ; ) {
    const sessions = await migrationSessions(sql, name);
    if (sessions.length === 0)
      return;
    if (Date.now() - started > timeoutMs) {
      throw new MigrationError(`rb could not end its own migration session(s) ${describeSessions(sessions)} within ${timeoutMs / 1e3}s`);
    }
    for (const session of sessions)
      await sql`select pg_terminate_backend(${session.pid})`;
    await sleep(50);
  }
}

// dist/migrations/migration-lock.js
import os from "node:os";
var LOCK_KEYS = [29282, 28007];
function describeHolder(holder) {
  if (!holder)
    return "another session (it released the lock as rb looked)";
  const client = holder.clientAddr ? `, client ${holder.clientAddr}` : "";
  return `backend pid ${holder.pid} ("${holder.applicationName}"${client}, connected ${holder.connectedSeconds}s ago)`;
}
async function lockHolder(sql) {
  const [row] = await sql`
    select l.pid, a.application_name, host(a.client_addr) as client_addr,
           floor(extract(epoch from now() - a.backend_start))::int as connected
      from pg_locks l
      left join pg_stat_activity a on a.pid = l.pid
     where l.locktype = 'advisory' and l.granted
       and l.database = (select oid from pg_database where datname = current_database())
       and l.classid = ${LOCK_KEYS[0]} and l.objid = ${LOCK_KEYS[1]} and l.objsubid = 2
     limit 1`;
  if (!row)
    return null;
  return { pid: row.pid, applicationName: row.application_name ?? "", clientAddr: row.client_addr, connectedSeconds: row.connected ?? 0 };
}
var sleep2 = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function withMigrationLock(url, options, work) {
  const pollMs = options.pollMs ?? 250;
  const reportAfterMs = options.reportAfterMs ?? 3e3;
  const reportEveryMs = options.reportEveryMs ?? 3e4;
  const maxWaitMs = options.maxWaitMs ?? 10 * 60 * 1e3;
  let closed = false;
  const client = connect(url, {
    max: 1,
    connection: { application_name: `rb migrate (pid ${process.pid} on ${os.hostname()})` },
    onclose: () => closed = true
  });
  const lost = () => new ConnectionError(`lost the connection to ${maskUrl(url)} that held or awaited the migration lock (the server restarted or ended the session); rb stopped before applying more; run rb status, then the command again once the server is reachable`);
  const guard = () => {
    if (closed)
      throw lost();
  };
  let reserved;
  let locked = false;
  try {
    try {
      reserved = await client.reserve();
      const started = Date.now();
      let nextReport = reportAfterMs;
      for (; ; ) {
        guard();
        const [row] = await reserved`select pg_try_advisory_lock(${LOCK_KEYS[0]}, ${LOCK_KEYS[1]}) as ok`;
        if (row.ok)
          break;
        const waited = Date.now() - started;
        if (waited >= maxWaitMs) {
          throw new MigrationError(`gave up after waiting ${Math.round(waited / 1e3)}s for the migration lock, held by ${describeHolder(await lockHolder(reserved))}; wait for that migration to finish, or end that session (select pg_terminate_backend(<pid>)) if it is stuck`);
        }
        if (waited >= nextReport) {
          options.onWait?.({ waitedMs: waited, holder: await lockHolder(reserved) });
          nextReport += reportEveryMs;
        }
        if (options.signal?.aborted) {
          const signal = stopSignalOf(options.signal);
          throw new InterruptedError(`stopped by ${signal} while waiting for the migration lock; nothing was applied`, signal);
        }
        await sleep2(pollMs);
      }
      locked = true;
      await waitForEarlierSessions(reserved, { onWait: options.onSessionWait, signal: options.signal, beforeQuery: guard });
    } catch (error) {
      throw asConnectionError(error, url);
    }
    const held = reserved;
    return await work({
      assertHeld: async () => {
        guard();
        try {
          await held`select 1`;
        } catch {
          throw lost();
        }
      }
    });
  } finally {
    if (reserved && locked && !closed) {
      try {
        await reserved`select pg_advisory_unlock(${LOCK_KEYS[0]}, ${LOCK_KEYS[1]})`;
      } catch {
      }
    }
    if (!closed)
      reserved?.release();
    await client.end({ timeout: 5 });
  }
}

export {
  migrationSessions,
  describeSessions,
  endOwnSessions,
  describeHolder,
  withMigrationLock
};
