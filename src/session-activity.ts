import type { Sql } from './client.ts';

/** A session on the server as pg_stat_activity shows it (other users' queries may be hidden). */
export interface SessionActivity {
  pid: number;
  applicationName: string;
  state: string | null;
  /** Seconds since its current statement started (or since it connected, when idle). */
  seconds: number;
  /** The start of what it runs (`-- migrate:up ...`), when the role may see it. */
  query: string | null;
}

/** Sessions on sql's database (other than sql's own) whose application_name is LIKE `pattern`, oldest first. */
export async function sessionsNamedLike(sql: Sql, pattern: string): Promise<SessionActivity[]> {
  const rows = await sql<{ pid: number; application_name: string; state: string | null; seconds: number | null; query: string | null }[]>`
    select pid, application_name, state,
           floor(extract(epoch from now() - coalesce(query_start, backend_start)))::int as seconds,
           left(regexp_replace(query, '\\s+', ' ', 'g'), 80) as query
      from pg_stat_activity
     where datname = current_database() and pid <> pg_backend_pid()
       and application_name like ${pattern}
     order by backend_start`;
  return rows.map((r) => ({ pid: r.pid, applicationName: r.application_name, state: r.state, seconds: r.seconds ?? 0, query: r.query }));
}

/** "backend pid 5151, active for 3s: -- migrate:up ..." */
export function describeBackend(s: SessionActivity): string {
  return `backend pid ${s.pid}, ${s.state ?? 'state hidden'} for ${s.seconds}s${s.query ? `: ${s.query}` : ''}`;
}
