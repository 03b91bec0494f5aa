import { UsageError } from '../errors.ts';

/** The parts of a PostgreSQL URL that rb shows people. */
export interface UrlParts {
  host: string;
  port: number;
  database: string;
  user: string;
}

export function parseDatabaseUrl(url: string, source = 'database URL'): UrlParts {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${source} is not a valid URL (${maskUrl(url)}); expected postgres://user@host:5432/database (password after the user: user:secret@)`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new UsageError(`${source} must start with postgres:// (got ${parsed.protocol}//); expected postgres://user@host:5432/database (password after the user: user:secret@)`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) {
    throw new UsageError(`${source} names no database (${maskUrl(url)}); add it after the host, as in postgres://user@host:5432/mydb`);
  }
  return {
    host: parsed.hostname || 'localhost',
    port: parsed.port ? Number(parsed.port) : 5432,
    database,
    user: decodeURIComponent(parsed.username) || 'postgres',
  };
}

/** Replaces the password in a URL (or in any text that contains URLs) with ****. */
export function maskUrl(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:@/\s]*:)([^@\s]*)@/g, (_m, head: string, password: string) =>
    password ? `${head}****@` : `${head}@`,
  );
}

/** One line naming a target without its password: user@host:port/database. */
export function describeUrl(url: string): string {
  const p = parseDatabaseUrl(url);
  return `${p.user}@${p.host}:${p.port}/${p.database}`;
}

/** Returns the same URL pointing at another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** True when two URLs point at the same database on the same server. */
export function sameDatabase(a: string, b: string): boolean {
  const pa = parseDatabaseUrl(a);
  const pb = parseDatabaseUrl(b);
  const norm = (h: string) => (h === 'localhost' || h === '::1' || h === '[::1]' ? '127.0.0.1' : h);
  return norm(pa.host) === norm(pb.host) && pa.port === pb.port && pa.database === pb.database;
}
