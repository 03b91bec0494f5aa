// The swap ends the sessions on the local database and names each one: only other people's. rb's
// own connections to that database (the embedded server's quick check opens one, src/client.ts
// offerClient) are closed before the swap, so a restore with nobody else connected prints no
// "Ended" line, and one with a session of someone else's names exactly that session.
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect } from '../../src/client.ts';
import { createEmptyDatabase, dropDatabases, withSql } from '../support/databases.ts';
import { migration, runRb, tempProject, type RbRun } from '../support/project.ts';
import { freePort } from '../support/server.ts';
import { tempDir } from '../support/temp.ts';

const cwd = tempProject({
  '20240101000000_items.sql': migration(
    'create table public.item (id bigserial primary key, name text not null);',
    'drop table public.item;',
  ),
});
const dir = tempDir('restore-own-');
chmodSync(dir, 0o755); // as root the server runs as "postgres", which must reach its data directory
const dataDir = path.join(dir, 'pg');
const serverLog = path.join(dataDir, 'server.log');
let env: Record<string, string> = {};
let prod = '';
let localUrl = '';
let adminUrl = '';

/** The client sessions on the local database, asked from the postgres database (what the stranger asked psql). */
const othersOnLocal = () =>
  withSql(adminUrl, async (sql) =>
    (await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = 'development' and backend_type = 'client backend'`).map((r) => r.pid),
  );

/**
 * The run's output as lines, with what changes from run to run replaced: seconds, time stamps in
 * dump names, the work database's and the partial dump's host tag and pid, the test servers' ports.
 */
function normalized(run: RbRun) {
  const clean = (text: string) =>
    text
      .replace(/\d+\.\d\ds/g, 'N.NNs')
      .replace(/\d{8}T\d{6}Z/g, 'TIME')
      .replace(/_rb_restore_[0-9a-f]{6}_\d+/g, '_rb_restore_HOST_PID')
      .replace(/\.[0-9a-f]{6}_\d+\.dump/g, '.HOST_PID.dump')
      .replace(/127\.0\.0\.1:\d+\//g, '127.0.0.1:PORT/')
      .split('\n');
  return { code: run.code, stdout: clean(run.stdout), stderr: clean(run.stderr) };
}

/** What the server logged while `work` ran (log_connections and log_disconnections are on). */
async function loggedDuring<T>(work: () => Promise<T>): Promise<{ result: T; log: string[] }> {
  const before = readFileSync(serverLog, 'utf8').length;
  const result = await work();
  return { result, log: readFileSync(serverLog, 'utf8').slice(before).split('\n') };
}

/**
 * The logged connections to the local database whose application is rb: each must have
 * disconnected by itself (not terminated by the swap) before the restore created its work
 * database, that is without the swap's help and before it could matter.
 */
function assertRbClosedItsOwnFirst(log: string[]): void {
  const pidOf = (line: string) => /\[(\d+)\]/.exec(line)?.[1];
  const rbOnLocal = log.filter((l) => /connection authorized: user=\S+ database=development application_name=rb$/.test(l)).map(pidOf);
  assert.ok(rbOnLocal.length >= 1, `the quick check's connection to development is logged:\n${log.join('\n')}`);
  const workStarts = log.findIndex((l) => /connection authorized: user=\S+ database=development_rb_restore_/.test(l));
  assert.ok(workStarts > 0, 'the restore connected to its work database');
  for (const pid of rbOnLocal) {
    const closed = log.findIndex((l) => l.includes(`[${pid}] LOG:  disconnection:`));
    assert.ok(closed >= 0 && closed < workStarts, `rb's connection ${pid} to development closed before the work database was built:\n${log.join('\n')}`);
    assert.not.ok(log.some((l) => l.includes(`[${pid}] FATAL:`)), `rb's connection ${pid} was terminated`);
  }
}

/** The restore's progress on stderr (one table, nobody else connected). */
const restoreProgress = [
  'rb: read dump...',
  'rb: check local database...',
  'rb: rebuild schema...',
  "rb: rebuild: migrating development_rb_restore_HOST_PID to production's version 20240101000000 (1 migrations)",
  'rb: load data...',
  'rb: load: 1/1 tables',
  'rb: build indexes...',
  'rb: indexes: 1/1 keys, indexes and constraints',
  'rb: sequences...',
  'rb: verify...',
  'rb: swap...',
];

/** The summary on stdout; `ended`: the "Ended" line, when there is one. */
const summary = (file: string, ended: string[] = []) => [
  `Restored ${file} into local database postgres@127.0.0.1:PORT/development`,
  'production version: 20240101000000 (schema rebuilt with 1 migrations)',
  '  public.item  3 rows',
  "1 tables, 3 rows; every table's row count equals the dump's; 0 sequence(s) raised to the highest id",
  ...ended,
  'time: read dump N.NNs, check local database N.NNs, rebuild schema N.NNs, load data N.NNs, build indexes N.NNs, sequences N.NNs, verify N.NNs, swap N.NNs; total N.NNs',
];

const dumpedLines = (prodName: string, kept: boolean) => [
  `rb: dump: pg_dump of PRODUCTION postgres@127.0.0.1:PORT/${prodName} (read only) to .rb/dumps/production_TIME.HOST_PID.dump.partial`,
  `rb: dumped production at version 20240101000000 in N.NNs to .rb/dumps/production_20240101000000_TIME${kept ? '' : '.HOST_PID'}.dump (mode 0600)`,
];

const prodName = () => new URL(prod).pathname.slice(1);

const rowsOnLocal = () => withSql(localUrl, async (sql) => Number((await sql`select count(*) from public.item`)[0].count));

test.before(async () => {
  env = { RB_LOCAL_PORT: String(await freePort()), RB_LOCAL_DATA_DIR: dataDir };
  prod = await createEmptyDatabase(import.meta.url);
  const prodUp = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: prod } });
  assert.is(prodUp.code, 0, prodUp.stderr);
  await withSql(prod, (sql) => sql`insert into public.item (name) values ('a'), ('b'), ('c')`);
  const up = await runRb(['upgrade'], { cwd, env });
  assert.is(up.code, 0, up.stderr);
  const url = await runRb(['db', 'url'], { cwd, env });
  assert.is(url.code, 0, url.stderr);
  localUrl = url.stdout.trim();
  adminUrl = localUrl.replace('/development?', '/postgres?');
  // Every connection and disconnection is logged from here on (new connections read it on reload).
  await withSql(adminUrl, async (sql) => {
    await sql`alter system set log_connections = on`;
    await sql`alter system set log_disconnections = on`;
    await sql`select pg_reload_conf()`;
  });
  for (let i = 0; i < 100 && !/connection authorized/.test(readFileSync(serverLog, 'utf8')); i += 1) {
    await withSql(adminUrl, (sql) => sql`select 1`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

test.after(async () => {
  await runRb(['db', 'stop'], { cwd, env });
  await dropDatabases([prod]);
});

/** Runs `work` while a psql session of the test's own is connected to the local database; gives psql's pid and what psql said. */
async function withPsqlSession<T>(work: (pid: number) => Promise<T>): Promise<{ result: T; pid: number; psqlStderr: string }> {
  const psql = spawn('psql', ['--no-psqlrc', '--quiet', '--no-align', '--tuples-only', '--set', 'application_name=psql', localUrl], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  psql.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  psql.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  psql.on('error', (error) => (stderr += String(error))); // no psql: the pid assertion below names why
  const exited = new Promise<void>((resolve) => psql.on('close', () => resolve()));
  try {
    psql.stdin.write('select pg_backend_pid();\n');
    for (let i = 0; i < 200 && !/^\d+\n/.test(stdout); i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    const pid = Number(stdout.trim());
    assert.ok(pid > 0, `psql printed its pid: ${stdout} ${stderr}`);
    const result = await work(pid);
    psql.stdin.end('select 1;\n');
    await exited;
    return { result, pid, psqlStderr: stderr };
  } finally {
    psql.kill();
  }
}

test('dump-and-restore into the embedded server with nobody else connected ends no session and prints no "Ended" line', async () => {
  assert.equal(await othersOnLocal(), []);
  const { result: run, log } = await loggedDuring(() => runRb(['dump-and-restore', '--keep-dump'], { cwd, env: { ...env, PROD_DATABASE_URL: prod } }));
  assert.equal(normalized(run), {
    code: 0,
    stdout: [...summary('.rb/dumps/production_20240101000000_TIME.dump'), 'Kept .rb/dumps/production_20240101000000_TIME.dump (production data, mode 0600)', ''],
    stderr: [...dumpedLines(prodName(), true), ...restoreProgress, ''],
  });
  assertRbClosedItsOwnFirst(log);
  assert.is(await rowsOnLocal(), 3);
});

test('restore-to-dump into the embedded server with nobody else connected ends no session and prints no "Ended" line', async () => {
  const [dump] = readdirSync(path.join(cwd, '.rb', 'dumps'));
  const file = `.rb/dumps/${dump}`;
  assert.equal(await othersOnLocal(), []);
  const { result: run, log } = await loggedDuring(() => runRb(['restore-to-dump', file], { cwd, env }));
  assert.equal(normalized(run), { code: 0, stdout: [...summary('.rb/dumps/production_20240101000000_TIME.dump'), ''], stderr: [...restoreProgress, ''] });
  assertRbClosedItsOwnFirst(log);
  assert.is(await rowsOnLocal(), 3);
});

test('restore-to-dump with a psql session connected to the local database ends it and names exactly its pid', async () => {
  const [dump] = readdirSync(path.join(cwd, '.rb', 'dumps'));
  const { result: run, pid, psqlStderr } = await withPsqlSession(async (psqlPid) => {
    assert.equal(await othersOnLocal(), [psqlPid]);
    return runRb(['restore-to-dump', `.rb/dumps/${dump}`], { cwd, env });
  });
  assert.equal(normalized(run), {
    code: 0,
    stdout: [...summary('.rb/dumps/production_20240101000000_TIME.dump', [`Ended 1 session(s) on development to swap the restored database in: pid ${pid} (psql, postgres@127.0.0.1)`]), ''],
    stderr: [...restoreProgress, ''],
  });
  // psql's session was really ended by the swap.
  assert.match(psqlStderr, 'terminating connection due to administrator command');
  assert.equal(await othersOnLocal(), []);
  assert.is(await rowsOnLocal(), 3);
});

test('dump-and-restore with an app session (postgres.js) on the local database ends it and names exactly its pid', async () => {
  const app = connect(localUrl, { max: 1, connection: { application_name: 'shop-web' } });
  try {
    const [{ pid }] = await app<{ pid: number }[]>`select pg_backend_pid() as pid`;
    assert.equal(await othersOnLocal(), [pid]);
    const run = await runRb(['dump-and-restore'], { cwd, env: { ...env, PROD_DATABASE_URL: prod } });
    assert.equal(normalized(run), {
      code: 0,
      stdout: [
        ...summary('.rb/dumps/production_20240101000000_TIME.HOST_PID.dump', [`Ended 1 session(s) on development to swap the restored database in: pid ${pid} (shop-web, postgres@127.0.0.1)`]),
        'Deleted .rb/dumps/production_20240101000000_TIME.HOST_PID.dump',
        '',
      ],
      stderr: [...dumpedLines(prodName(), false), ...restoreProgress, ''],
    });
    // The app's pool reconnects, to the restored database.
    const [again] = await app<{ pid: number; rows: number }[]>`select pg_backend_pid() as pid, (select count(*)::int from public.item) as rows`;
    assert.is.not(again.pid, pid);
    assert.is(again.rows, 3);
  } finally {
    await app.end({ timeout: 1 });
  }
});

test.run();
