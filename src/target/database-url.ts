import { UsageError } from '../errors.ts';

/** The parts of a PostgreSQL URL that rb shows people. */
export interface UrlParts {
  host: string;
  port: number;
  database: string;
  user: string;
}

const EXPECTED = 'expected postgres://user@host:5432/database (password after the user: user:secret@)';

// What a user name or password may hold as it is. Everything else must be percent-encoded,
// because rb's tools read such URLs differently: for postgres://deploy:p@ss@host/db libpq
// (pg_dump, psql) ends the password at the first "@" and looks for the host "ss@host", while
// Go's net/url (dbmate) and postgres.js end it at the last one; Go refuses a space or a
// non-ASCII letter that libpq takes as it is. Percent-encoded, all of them agree.
const USERINFO_CHARACTERS = /^[A-Za-z0-9\-._~!$&'()*+,;=:%]*$/;
const PERCENT_ENCODING = /%(?![0-9A-Fa-f]{2})/;

/**
 * One database URL, password masked, for messages about a URL rb refuses: its user info ends at
 * the URL's last "@" (the general maskUrl, made for free text, stops at a space, "?" or "#").
 */
function maskWholeUrl(url: string): string {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
  if (!scheme) return maskUrl(url);
  const rest = url.slice(scheme.length);
  const at = rest.lastIndexOf('@');
  if (at === -1) return maskUrl(url);
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  const shown = colon === -1 ? userinfo : `${userinfo.slice(0, colon)}:****`;
  return maskUrl(`${scheme}${shown}${rest.slice(at)}`);
}

/** libpq connection parameters that postgres.js neither reads nor can pass to the server. */
const LIBPQ_ONLY_PARAMETERS = new Set([
  'dbname', 'host', 'hostaddr', 'port', 'user', 'passfile', 'service', 'target_session_attrs', 'load_balance_hosts',
  'sslrootcert', 'sslcert', 'sslkey', 'sslcrl', 'sslcrldir', 'sslpassword', 'sslcompression', 'sslsni', 'requiressl',
  'ssl_min_protocol_version', 'ssl_max_protocol_version', 'channel_binding', 'gssencmode', 'gsslib', 'krbsrvname',
  'requirepeer', 'tcp_user_timeout', 'replication', 'client_encoding',
]);

/**
 * Parses and checks a PostgreSQL URL. Refuses, with the fix, URLs that rb's tools (libpq,
 * dbmate, postgres.js) would read differently from each other, so every tool reaches the same
 * database as the same user, and every message can mask the password.
 */
export function parseDatabaseUrl(url: string, source = 'database URL'): UrlParts {
  const shown = maskWholeUrl(url);
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
    if (scheme) throw new UsageError(`${source} must start with postgres:// (got ${scheme}://); ${EXPECTED}`);
    throw new UsageError(`${source} is not a valid URL (${shown}); ${EXPECTED}`);
  }
  // The user info runs to the last "@": a password with "@", "/", "?" or "#" in it makes the
  // URL mean different things to different tools, and so does an "@" further on (percent-encode it).
  const rest = url.slice(url.indexOf('://') + 3);
  const userinfo = rest.slice(0, Math.max(0, rest.lastIndexOf('@')));
  if (/\s/.test(url) || !USERINFO_CHARACTERS.test(userinfo) || PERCENT_ENCODING.test(userinfo)) {
    throw new UsageError(
      `${source} (${shown}) holds a character a URL cannot carry as it is, most likely in the password; percent-encode it (@ as %40, / as %2F, ? as %3F, # as %23, % as %25, a space as %20, non-ASCII letters as their UTF-8 bytes: encodeURIComponent in Node does it)`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${source} is not a valid URL (${shown}); ${EXPECTED}`);
  }
  // postgres.js sends unknown URL parameters to the server as settings: libpq's own ones fail there
  // ("unrecognized configuration parameter") or in postgres.js, as an internal error.
  const unsupported = [...parsed.searchParams.keys()].filter((key) => LIBPQ_ONLY_PARAMETERS.has(key) || key.startsWith('keepalives'));
  if (unsupported.length) {
    throw new UsageError(
      `${source} (${shown}) has the parameter${unsupported.length > 1 ? 's' : ''} ${unsupported.join(', ')}, which rb's client (postgres.js) does not read; ` +
        'remove it from the URL (rb reads sslmode, application_name, connect_timeout and server settings such as search_path)',
    );
  }
  if (parsed.searchParams.has('password')) {
    throw new UsageError(`${source} (${shown}) passes the password as a query parameter, which postgres.js does not read; put it after the user name, percent-encoded (user:secret@host)`);
  }
  let database: string;
  try {
    database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  } catch {
    throw new UsageError(`${source} (${shown}) has a database name with a bad percent-encoding; write "%" as %25`);
  }
  if (!database) {
    throw new UsageError(`${source} names no database (${shown}); add it after the host, as in postgres://user@host:5432/mydb`);
  }
  return {
    host: parsed.hostname || 'localhost',
    port: parsed.port ? Number(parsed.port) : 5432,
    database,
    user: decodeURIComponent(parsed.username) || 'postgres',
  };
}

/**
 * Replaces passwords in text (messages, tool output) with ****: the password of every
 * postgres:// URL (up to the last "@" before a space, "?" or "#") and every password=value.
 */
export function maskUrl(text: string): string {
  return text
    .replace(/(postgres(?:ql)?:\/\/)([^\s?#]*)@/gi, (match, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      if (colon === -1) return match;
      return `${scheme}${userinfo.slice(0, colon)}:${colon === userinfo.length - 1 ? '' : '****'}@`;
    })
    // (?!\*{4}): text masked once stays as it is.
    .replace(/(password=)(?!\*{4})('[^']*'|[^\s&]*)/gi, (_m, key: string, value: string) => (value ? `${key}****` : key));
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
