import { performance } from 'node:perf_hooks';
import { connect } from '../client.ts';

/** A lock dbmate's session held on a relation while a migration ran, and for how long. */
export interface ObservedLock {
  /** The relation's oid (names are resolved by the caller, from the states before and after). */
  oid: number;
  /** pg_locks.mode: "AccessExclusiveLock", "ShareLock"... */
  mode: string;
  /** From the first sample that saw it to the first that did not (or the end of the run). */
  heldMs: number;
}

export interface LockSampler {
  /** Stops sampling; the locks seen, each (relation, mode) once with its total hold time. */
  stop(): Promise<ObservedLock[]>;
}

/** Pause between two samples; each sample is one small query (~1 ms). */
export const SAMPLE_INTERVAL_MS = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls pg_locks for the relation locks that the session named `applicationName` (dbmate's,
 * src/migrations/dbmate.ts) holds on the database url names, from a connection of its own. A lock
 * taken and released between two samples (a few milliseconds) can be missed; the locks that
 * matter to a reviewer are held for as long as the statement or transaction that took them runs.
 */
export function startLockSampler(url: string, applicationName: string): LockSampler {
  const sql = connect(url, { connection: { application_name: 'rb analyze (lock sampler)' } });
  const open = new Map<string, { oid: number; mode: string; since: number }>();
  const held = new Map<string, ObservedLock>();
  const close = (key: string, at: number) => {
    const lock = open.get(key)!;
    open.delete(key);
    const total = held.get(key) ?? { oid: lock.oid, mode: lock.mode, heldMs: 0 };
    total.heldMs += at - lock.since;
    held.set(key, total);
  };
  let running = true;
  let failure: unknown;
  const loop = (async () => {
    while (running) {
      const rows = await sql<{ oid: string; mode: string }[]>`
        select l.relation::int8 as oid, l.mode
          from pg_locks l join pg_stat_activity a on a.pid = l.pid
         where a.application_name = ${applicationName} and a.datname = current_database()
           and l.locktype = 'relation' and l.granted and l.database = (select oid from pg_database where datname = current_database())`;
      const now = performance.now();
      const seen = new Set<string>();
      for (const row of rows) {
        const key = `${row.oid} ${row.mode}`;
        seen.add(key);
        if (!open.has(key)) open.set(key, { oid: Number(row.oid), mode: row.mode, since: now });
      }
      for (const key of [...open.keys()]) if (!seen.has(key)) close(key, now);
      await sleep(SAMPLE_INTERVAL_MS);
    }
  })().catch((error: unknown) => {
    failure = error; // reported by stop(), not as an unhandled rejection meanwhile
  });
  return {
    async stop() {
      running = false;
      try {
        await loop;
      } finally {
        await sql.end({ timeout: 5 });
      }
      if (failure) throw failure;
      const now = performance.now();
      for (const key of [...open.keys()]) close(key, now);
      return [...held.values()];
    },
  };
}
