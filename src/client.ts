import postgres from 'postgres';
import { ConnectionError, UsageError } from './errors.ts';
import { localServerRefusedHint } from './local-db/refused-hint.ts';
import { maskUrl } from './target/database-url.ts';

export type Sql = postgres.Sql;

/** What a query runs on: a client, a transaction (`sql.begin`) or a reserved connection. */
export type Queryable = postgres.ISql;

export interface ConnectOptions {
  max?: number;
  /** Seconds to wait for a connection before failing (default 10). */
  connectTimeout?: number;
  /** Run-time parameters sent at connect, e.g. { search_path: 'app,public' }. */
  connection?: Record<string, string>;
  /** Called when a connection closes (the server restarted, the session was terminated, or end()). */
  onclose?: () => void;
}

/** The postgres.js settings of rb's connections to url: named "rb" in pg_stat_activity, notices dropped. */
export function connectOptions(url: string, options: ConnectOptions = {}) {
  return {
    database: databaseOf(url),
    ...ipv6Host(url),
    max: options.max ?? 1,
    connect_timeout: options.connectTimeout ?? 10,
    onnotice: () => {},
    connection: { application_name: 'rb', ...options.connection },
    onclose: options.onclose,
  };
}

/** A postgres.js client for rb's own bookkeeping queries (quiet: notices are dropped). */
export function connect(url: string, options: ConnectOptions = {}): Sql {
  return postgres(url, connectOptions(url, options));
}

/**
 * The database name, percent-decoded: postgres.js takes the URL's path as it is, where libpq and
 * dbmate decode it (/my%20db is "my db" to them, "my%20db" to postgres.js).
 */
function databaseOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1)) || undefined;
  } catch {
    return undefined; // not a URL postgres.js can read either: let it report that
  }
}

/**
 * An IPv6 address as the host ([::1], [2001:db8::5]): postgres.js reads "host:port" from the URL's
 * host, so it cuts an IPv6 address at its first colon (and connected to localhost). As arrays, its
 * host and port options are taken as they are.
 */
function ipv6Host(url: string): { host?: string; port?: number } {
  try {
    const { hostname, port } = new URL(url);
    if (!hostname.startsWith('[')) return {};
    // postgres.js's types say string and number; its code takes lists (index.js: Array.isArray(host)).
    return { host: [hostname.slice(1, -1)] as unknown as string, port: [port ? Number(port) : 5432] as unknown as number };
  } catch {
    return {};
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'CONNECT_TIMEOUT',
  '28P01', '28000', '3D000', '57P03',
]);

const REASONS: Record<string, string> = {
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

/** Why a connection failed, in a few words, or undefined when the error is not a connection failure. */
export function connectionFailureReason(error: unknown): string | undefined {
  const e = error as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = e?.code ?? e?.errors?.[0]?.code;
  if (!code || !CONNECTION_CODES.has(code)) return undefined;
  return REASONS[code] ?? e.message;
}

function urlParameters(url: string): string[] {
  try {
    return [...new URL(url).searchParams.keys()];
  } catch {
    return [];
  }
}

/** A connection that was open and went away: a server restart, a terminated session. */
const LOST_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', '57P01', '57P02']);

/**
 * Turns a failure to reach the server, or the loss of a connection that was open, into a one-line
 * ConnectionError naming the masked URL (exit 3).
 */
export function asConnectionError(error: unknown, url: string): unknown {
  const e = error as { code?: string; message?: string; errors?: { code?: string }[] };
  const code = e?.code ?? e?.errors?.[0]?.code;
  if (code && LOST_CODES.has(code)) {
    return new ConnectionError(
      `lost the connection to ${maskUrl(url)} (${code === 'CONNECTION_CLOSED' || code === 'CONNECTION_DESTROYED' ? 'the server closed it' : e.message}; did the server restart?); run the command again once the server is reachable`,
    );
  }
  // postgres.js sends URL parameters it does not know to the server as settings.
  const setting = code === '42704' ? /unrecognized configuration parameter "([^"]+)"/.exec(e.message ?? '')?.[1] : undefined;
  if (setting !== undefined && urlParameters(url).includes(setting)) {
    return new UsageError(`${maskUrl(url)}: the server has no setting "${setting}", which rb's client sends it as one (postgres.js passes unknown URL parameters to the server); remove ${setting} from the URL`);
  }
  const reason = connectionFailureReason(error);
  if (reason === undefined) return error;
  const hint = code === 'ECONNREFUSED' ? localServerRefusedHint(url) : undefined;
  if (hint) return new ConnectionError(`cannot connect to ${maskUrl(url)}: connection refused; ${hint}`);
  if (code === '3D000') {
    return new ConnectionError(`cannot connect to ${maskUrl(url)}: database does not exist; check the database name in the URL (rb upgrade creates a missing database, except production's)`);
  }
  return new ConnectionError(`cannot connect to ${maskUrl(url)}: ${reason}; check the URL and that the server is reachable`);
}

/** Why a connection that was working is gone, by error code (server restart, crash, network). */
const LOSS_REASONS: Record<string, string> = {
  '57P01': 'the server ended the session (a restart, a shutdown or pg_terminate_backend)',
  '57P02': 'the server crashed and ended every session',
  '57P03': 'the server is starting up or shutting down',
  CONNECTION_CLOSED: 'the server or the network closed the connection (a restart, a crash, pg_terminate_backend)',
  CONNECTION_DESTROYED: 'the connection was closed',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection was closed',
  ECONNREFUSED: 'the server refused a new connection (is it restarting?)',
  ETIMEDOUT: 'the connection timed out',
  CONNECT_TIMEOUT: 'a new connection timed out',
};

/**
 * When `error` means the connection to the server was lost in the middle of work (a server
 * restart, a crash, the network, a terminated backend), a short reason; otherwise undefined.
 */
export function connectionLossReason(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (LOSS_REASONS[code]) return `${LOSS_REASONS[code]}${/^\d/.test(code) ? ` (SQLSTATE ${code})` : ''}`;
  if (code.startsWith('08')) return `the connection failed (SQLSTATE ${code}: ${(error as Error).message})`;
  return undefined;
}

/**
 * Connected clients handed over for reuse, by URL: checking that the embedded server's database
 * answers opens one (src/local-db/embedded-server.ts), and the command's first withClient on
 * that URL takes it instead of connecting a second time. One not taken within a second is closed.
 */
const offered = new Map<string, Sql>();
const OFFER_MS = 1000;

export function offerClient(url: string, sql: Sql): void {
  const previous = offered.get(url);
  if (previous) void previous.end({ timeout: 1 });
  offered.set(url, sql);
  setTimeout(() => {
    if (offered.get(url) !== sql) return;
    offered.delete(url);
    void sql.end({ timeout: 1 });
  }, OFFER_MS).unref();
}

/**
 * Closes the offered clients no command took, and returns once they are closed. A command that
 * ends the sessions on its database (the restore's swap and the analyze copy, through
 * connectMaintenance in src/restore/work-database.ts) calls it first: the quick check's idle connection would otherwise be there for up to a second, and be
 * ended and reported as someone else's session.
 */
export async function closeOfferedClients(): Promise<void> {
  const clients = [...offered.values()];
  offered.clear();
  await Promise.all(clients.map((sql) => sql.end({ timeout: 1 })));
}

/** The offered client for url, when the caller wants the default settings it was opened with. */
function takeOffered(url: string, options: ConnectOptions): Sql | undefined {
  if (Object.keys(options).length > 0) return undefined;
  const sql = offered.get(url);
  offered.delete(url);
  return sql;
}

/** Opens a client (or takes the offered one), runs work, always closes it; connection failures become ConnectionError. */
export async function withClient<T>(url: string, work: (sql: Sql) => Promise<T>, options: ConnectOptions = {}): Promise<T> {
  const sql = takeOffered(url, options) ?? connect(url, options);
  try {
    return await work(sql);
  } catch (error) {
    throw asConnectionError(error, url);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
