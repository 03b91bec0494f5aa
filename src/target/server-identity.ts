import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import os from 'node:os';
import { asConnectionError, connect, connectionFailureReason, withClient, type Sql } from '../client.ts';
import { maskUrl, parseDatabaseUrl, type UrlParts } from './database-url.ts';

/**
 * Whether a URL names the same database as PROD_DATABASE_URL, decided by what the two servers
 * say about themselves, never by how the URLs are spelled: the same server answers to
 * localhost, 127.0.0.1, its host name, another address, a port forward or a pooler.
 */

/** What a server says about itself; every role may read it. */
export interface ServerIdentity {
  database: string;
  databaseOid: string;
  /**
   * pg_postmaster_start_time() in epoch seconds (microseconds): two servers never share it, not
   * even a primary and its replica or a physical copy, which share the system identifier.
   */
  started: string;
  /** pg_control_system().system_identifier, where the role may call it (PostgreSQL 15 lets anyone). */
  systemIdentifier?: string;
}

/** Seconds rb waits for PROD_DATABASE_URL when it only asks who it is. */
const PRODUCTION_CONNECT_TIMEOUT = 5;

async function queryIdentity(sql: Sql): Promise<ServerIdentity> {
  const [row] = await sql<{ database: string; oid: string; started: string; control: boolean }[]>`
    select current_database() as database, d.oid::text as oid,
           extract(epoch from pg_postmaster_start_time())::text as started,
           has_function_privilege('pg_catalog.pg_control_system()', 'execute') as control
      from pg_database d where d.datname = current_database()`;
  const identity: ServerIdentity = { database: row.database, databaseOid: row.oid, started: row.started };
  if (row.control) {
    const [control] = await sql<{ id: string }[]>`select system_identifier::text as id from pg_control_system()`;
    identity.systemIdentifier = control.id;
  }
  return identity;
}

type Answer = { identity: ServerIdentity } | { reason: string; error: unknown };

/** Asks the server behind url who it is; resolves to why it did not answer instead of throwing. */
async function ask(url: string, connectTimeout: number): Promise<Answer> {
  const sql = connect(url, { connectTimeout });
  try {
    return { identity: await queryIdentity(sql) };
  } catch (error) {
    const reason = unreachableReason(error);
    if (reason === undefined) throw error;
    return { reason, error };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export interface ProductionMatch {
  /** The URL names production's database. */
  isProduction: boolean;
  /**
   * 'server': both servers answered and their identities were compared. 'address': one of them
   * did not answer, so the URLs' resolved addresses, ports and database names were compared.
   */
  basis: 'server' | 'address';
  /** One line saying why, for the guard and refusals. */
  reason: string;
  /** basis 'address': why production (or the URL itself) did not answer. */
  unreachable?: string;
}

/** The same running server (any database on it). */
function sameServerProcess(a: ServerIdentity, b: ServerIdentity): boolean {
  if (a.started !== b.started) return false;
  return a.systemIdentifier === undefined || b.systemIdentifier === undefined || a.systemIdentifier === b.systemIdentifier;
}

function sameServer(a: ServerIdentity, b: ServerIdentity): boolean {
  return a.databaseOid === b.databaseOid && sameServerProcess(a, b);
}

/**
 * Whether two URLs reach the same server, whatever database each names (rb drift --prod must not
 * create its scratch database on production's server). Both must answer.
 */
export async function onSameServer(url: string, otherUrl: string): Promise<boolean> {
  const [a, b] = await Promise.all([url, otherUrl].map((u) => withClient(u, queryIdentity)));
  return sameServerProcess(a, b);
}

function describeIdentity(identity: ServerIdentity): string {
  const started = new Date(Number(identity.started) * 1000).toISOString();
  const system = identity.systemIdentifier ? `system identifier ${identity.systemIdentifier}, ` : '';
  return `${system}up since ${started}, database "${identity.database}", oid ${identity.databaseOid}`;
}

const THIS_MACHINE = 'this machine';

function localAddresses(): Set<string> {
  const addresses = new Set<string>();
  for (const list of Object.values(os.networkInterfaces())) for (const entry of list ?? []) addresses.add(entry.address);
  return addresses;
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** The addresses a host name stands for; loopback and this machine's own addresses are one. */
async function addressesOf(host: string, local: Set<string>): Promise<Set<string>> {
  if (host.startsWith('/')) return new Set([THIS_MACHINE]); // a Unix socket directory
  const name = host.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(name) ? [name] : (await lookup(name, { all: true })).map((entry) => entry.address);
  } catch {
    return new Set([`name ${name.toLowerCase()}`]);
  }
  return new Set(addresses.map((address) => (isLoopback(address) || local.has(address) ? THIS_MACHINE : address)));
}

/** The fallback when production does not answer: same address (after DNS), port and database name. */
async function sameAddress(a: UrlParts, b: UrlParts): Promise<boolean> {
  if (a.port !== b.port || a.database !== b.database) return false;
  const local = localAddresses();
  const [x, y] = await Promise.all([addressesOf(a.host, local), addressesOf(b.host, local)]);
  return [...x].some((address) => y.has(address));
}

/** Errors that mean "production did not answer" (network, authentication, server); others are bugs. */
function unreachableReason(error: unknown): string | undefined {
  const reason = connectionFailureReason(error);
  if (reason !== undefined) return reason;
  const e = error as { code?: unknown; message?: string };
  if (typeof e?.code === 'string') return maskUrl(e.message ?? e.code);
  return undefined;
}

/**
 * Compares url with productionUrl, asking both servers at the same moment. When one of them does
 * not answer, the URLs' resolved addresses, ports and database names decide (basis 'address'),
 * and the reason says so; a URL that does not answer and is not production's by address throws
 * its connection error (the command could not use it anyway).
 */
export async function matchProduction(url: string, productionUrl: string): Promise<ProductionMatch> {
  const [target, prod] = await Promise.all([ask(url, 10), ask(productionUrl, PRODUCTION_CONNECT_TIMEOUT)]);
  if ('identity' in target && 'identity' in prod) {
    const same = sameServer(target.identity, prod.identity);
    return {
      isProduction: same,
      basis: 'server',
      reason: same
        ? `the same server and database as PROD_DATABASE_URL (${describeIdentity(target.identity)})`
        : `another server or database than PROD_DATABASE_URL (${describeIdentity(target.identity)}; production: ${describeIdentity(prod.identity)})`,
    };
  }
  // A database that does not exist yet (a restore or `rb upgrade` creates it) is not production's,
  // which answered: whatever server it is on, it is another database.
  if ('reason' in target && 'identity' in prod && (target.error as { code?: unknown }).code === '3D000') {
    return { isProduction: false, basis: 'server', reason: `its database does not exist yet, and PROD_DATABASE_URL's does (${describeIdentity(prod.identity)})` };
  }
  const a = parseDatabaseUrl(url);
  const same = await sameAddress(a, parseDatabaseUrl(productionUrl));
  const where = `the same address, port ${a.port} and database "${a.database}"`;
  if ('reason' in target) {
    if (!same) throw asConnectionError(target.error, url);
    return { isProduction: true, basis: 'address', unreachable: target.reason, reason: `it did not answer (${target.reason}), and it resolves to ${where} as PROD_DATABASE_URL` };
  }
  const unreachable = 'reason' in prod ? prod.reason : '';
  return {
    isProduction: same,
    basis: 'address',
    unreachable,
    reason: same
      ? `PROD_DATABASE_URL did not answer (${unreachable}), and both URLs resolve to ${where}`
      : `PROD_DATABASE_URL did not answer (${unreachable}); by address, port and database name it is another database`,
  };
}
