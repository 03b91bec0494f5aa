import { RbError } from '../errors.ts';
import { runProcess, type ProcessResult, type RunOptions } from '../process.ts';
import { maskUrl } from '../target/database-url.ts';

/** Query keys libpq accepts in a connection URI; anything else would make pg_dump/pg_restore refuse the URL. */
const LIBPQ_KEYS = new Set([
  'host', 'hostaddr', 'port', 'dbname', 'user', 'passfile', 'channel_binding', 'connect_timeout', 'client_encoding',
  'options', 'application_name', 'fallback_application_name', 'keepalives', 'keepalives_idle', 'keepalives_interval',
  'keepalives_count', 'tcp_user_timeout', 'replication', 'gssencmode', 'sslmode', 'requiressl', 'sslcompression',
  'sslcert', 'sslkey', 'sslpassword', 'sslrootcert', 'sslcrl', 'sslcrldir', 'sslsni', 'requirepeer',
  'ssl_min_protocol_version', 'ssl_max_protocol_version', 'krbsrvname', 'gsslib', 'service', 'target_session_attrs',
]);

/** How to point a libpq tool at a database without putting the password on its command line. */
export interface LibpqTarget {
  /** The URL for -d, without its password. */
  url: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Turns a postgres:// URL into what pg_dump/pg_restore take: the password moves to PGPASSWORD
 * (command lines are visible in `ps`), and run-time parameters that dbmate accepts in the query
 * string (`?lock_timeout=1500`) become `options=-c lock_timeout=1500`, which libpq understands.
 */
export function libpqTarget(url: string): LibpqTarget {
  const parsed = new URL(url);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password);
  parsed.password = '';
  const settings: string[] = [];
  for (const key of [...parsed.searchParams.keys()]) {
    if (LIBPQ_KEYS.has(key)) continue;
    settings.push(`-c ${key}=${parsed.searchParams.get(key)}`);
    parsed.searchParams.delete(key);
  }
  if (settings.length) {
    const existing = parsed.searchParams.get('options');
    parsed.searchParams.set('options', [existing, ...settings].filter(Boolean).join(' '));
  }
  // URLSearchParams writes spaces as "+", which libpq does not decode; a literal "+" is already %2B.
  return { url: parsed.toString().replace(/\+/g, '%20'), env };
}

export interface ToolVersion {
  /** "15.18" */
  version: string;
  major: number;
}

/** Reads `pg_dump --version` ("pg_dump (PostgreSQL) 15.18 (Debian ...)"). */
export async function toolVersion(tool: 'pg_dump' | 'pg_restore'): Promise<ToolVersion> {
  let result: ProcessResult;
  try {
    result = await runProcess(tool, ['--version']);
  } catch {
    throw new RbError(`${tool} is not installed (not found in PATH); install the PostgreSQL client tools (Debian: apt-get install postgresql-client)`);
  }
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(result.stdout);
  if (!result.ok || !match) throw new RbError(`could not read the version of ${tool}: ${result.stderr.trim() || result.stdout.trim()}`);
  return { version: match[2] ? `${match[1]}.${match[2]}` : match[1], major: Number(match[1]) };
}

/** Major version from a server version string ("15.18", "16.4 (Debian ...)", "9.6.24"). */
export function majorOf(version: string): number {
  const [first, second] = version.split(/[.\s]/);
  const major = Number(first);
  return major < 10 ? Number(`${first}.${second}`) : major;
}

/** Runs a libpq tool; its output is masked in case a message echoes a URL. */
export async function runPgTool(tool: 'pg_dump' | 'pg_restore', args: string[], options: RunOptions = {}): Promise<ProcessResult> {
  const result = await runProcess(tool, args, options);
  return { ...result, stderr: maskUrl(result.stderr) };
}

/** The first meaningful error line of a pg_dump/pg_restore run. */
export function firstError(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const error = lines.find((l) => /error:|FATAL|ERROR/.test(l)) ?? lines[0] ?? 'no message';
  return maskUrl(error.replace(/^(pg_dump|pg_restore): (error: )?/, ''));
}
