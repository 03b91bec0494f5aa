import postgres from 'postgres';
import { ConnectionError } from './errors.ts';
import { maskUrl } from './target/database-url.ts';

export type Sql = postgres.Sql;

export interface ConnectOptions {
  max?: number;
  /** Seconds to wait for a connection before failing (default 10). */
  connectTimeout?: number;
  /** Run-time parameters sent at connect, e.g. { search_path: 'app,public' }. */
  connection?: Record<string, string>;
  /** Called when a connection closes (the server restarted, the session was terminated, or end()). */
  onclose?: () => void;
}

/** A postgres.js client for rb's own bookkeeping queries (quiet: notices are dropped). */
export function connect(url: string, options: ConnectOptions = {}): Sql {
  return postgres(url, {
    max: options.max ?? 1,
    connect_timeout: options.connectTimeout ?? 10,
    onnotice: () => {},
    connection: { application_name: 'rb', ...options.connection },
    onclose: options.onclose,
  });
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'CONNECT_TIMEOUT',
  '28P01', '28000', '3D000', '57P03',
]);

/** A connection that was open and went away: a server restart, a terminated session. */
const LOST_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', '57P01', '57P02']);

/** Turns a failure to reach the server into a one-line ConnectionError naming the masked URL. */
export function asConnectionError(error: unknown, url: string): unknown {
  const e = error as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = e?.code ?? e?.errors?.[0]?.code;
  if (code && LOST_CODES.has(code)) {
    return new ConnectionError(
      `lost the connection to ${maskUrl(url)} (${code === 'CONNECTION_CLOSED' || code === 'CONNECTION_DESTROYED' ? 'the server closed it' : e.message}; did the server restart?); run the command again once the server is reachable`,
    );
  }
  if (!code || !CONNECTION_CODES.has(code)) return error;
  const reason: Record<string, string> = {
    ECONNREFUSED: 'connection refused (is the server running?)',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    ETIMEDOUT: 'connection timed out',
    CONNECT_TIMEOUT: 'connection timed out',
    ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
    '28P01': 'password authentication failed',
    '28000': 'authentication rejected',
    '3D000': 'database does not exist',
    '57P03': 'the server is starting up or shutting down',
  };
  return new ConnectionError(`cannot connect to ${maskUrl(url)}: ${reason[code] ?? e.message}; check the URL and that the server is reachable`);
}

/** Opens a client, runs work, always closes it; connection failures become ConnectionError. */
export async function withClient<T>(url: string, work: (sql: Sql) => Promise<T>, options: ConnectOptions = {}): Promise<T> {
  const sql = connect(url, options);
  try {
    return await work(sql);
  } catch (error) {
    throw asConnectionError(error, url);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
