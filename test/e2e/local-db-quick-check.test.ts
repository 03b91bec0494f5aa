import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withSql } from '../support/databases.ts';
import { freePort } from '../support/server.ts';
import { migration, runRb, tempProject } from '../support/project.ts';
import { tempDir } from '../support/temp.ts';

// What a command costs before its work when the embedded server already runs (issue 10): it reads
// postmaster.pid and signals the pid instead of starting pg_ctl (and, as root, runuser and id),
// and the connection that proves the database answers is the command's own. Whatever that quick
// check cannot confirm takes the full path (start, create, convert) as before.
const cwd = tempProject({
  '20240101000001_app.sql': migration('create schema app;\ncreate table app.t (id int);', 'drop table app.t;\ndrop schema app;'),
});
const dir = tempDir('quick-check-');
chmodSync(dir, 0o755); // as root the server runs as "postgres", which must reach its data directory
const dataDir = path.join(dir, 'pg');
const serverLog = path.join(dataDir, 'server.log');
const pidFile = path.join(dataDir, 'data', 'postmaster.pid');
const spawnLog = path.join(dir, 'spawned.log');
// Loaded into rb before its own modules (NODE_OPTIONS): records every child process it starts.
const recorder = path.join(dir, 'record-spawns.mjs');
writeFileSync(recorder, `
import childProcess from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork']) {
  const original = childProcess[name];
  childProcess[name] = function (...args) {
    const argv = Array.isArray(args[1]) ? args[1].join(' ') : '';
    appendFileSync(process.env.RB_TEST_SPAWN_LOG, name + ' ' + String(args[0]) + ' ' + argv + '\\n');
    return original.apply(this, args);
  };
}
syncBuiltinESMExports();
`);
let env: Record<string, string> = {};

/** Runs rb recording its child processes; returns the run and what it started. */
async function recorded(args: string[]) {
  writeFileSync(spawnLog, '');
  const run = await runRb(args, { cwd, env: { ...env, NODE_OPTIONS: `--import=${recorder}`, RB_TEST_SPAWN_LOG: spawnLog } });
  return { ...run, spawned: readFileSync(spawnLog, 'utf8').split('\n').filter(Boolean) };
}

/** Connections the server logged (log_connections) while `work` ran, by database. */
async function connectionsDuring(work: () => Promise<void>): Promise<string[]> {
  const before = readFileSync(serverLog, 'utf8').length;
  await work();
  return [...readFileSync(serverLog, 'utf8').slice(before).matchAll(/connection authorized: user=\S+ database=(\S+)/g)].map((m) => m[1]);
}

async function databaseUrl(database = 'development'): Promise<string> {
  const url = await runRb(['db', 'url'], { cwd, env });
  assert.is(url.code, 0, url.stderr);
  return url.stdout.trim().replace('/development?', `/${database}?`);
}

test.before(async () => {
  env = { RB_LOCAL_PORT: String(await freePort()), RB_LOCAL_DATA_DIR: dataDir };
  const up = await runRb(['upgrade'], { cwd, env });
  assert.is(up.code, 0, up.stderr);
  // Every connection is logged from here on (the server applies it to new connections on reload).
  await withSql(await databaseUrl('postgres'), async (sql) => {
    await sql`alter system set log_connections = on`;
    await sql`select pg_reload_conf()`;
  });
  for (let i = 0; i < 100 && !/connection authorized/.test(readFileSync(serverLog, 'utf8')); i += 1) {
    await withSql(await databaseUrl('postgres'), (sql) => sql`select 1`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

test.after(async () => {
  await runRb(['db', 'stop'], { cwd, env });
});

test('with the server running, rb status, rb current and rb upgrade (nothing pending) start no process and open one connection', async () => {
  for (const [args, output] of [
    [['status'], /1 applied, 0 pending; current version: 20240101000001\n$/],
    [['current'], /^20240101000001\n$/],
    [['upgrade'], /up to date, nothing to apply\n$/],
  ] as const) {
    let run: Awaited<ReturnType<typeof recorded>> | undefined;
    const connections = await connectionsDuring(async () => {
      run = await recorded([...args]);
    });
    assert.is(run!.code, 0, run!.stderr);
    assert.match(run!.stdout, output);
    assert.equal(run!.spawned, [], `rb ${args.join(' ')} started processes`);
    assert.equal(connections, ['development'], `rb ${args.join(' ')}: connections`);
  }
});

test('the recorder sees what rb starts: rb db stop runs pg_ctl', async () => {
  const stop = await recorded(['db', 'stop']);
  assert.is(stop.stdout, 'local PostgreSQL stopped\n');
  assert.ok(stop.spawned.some((line) => line.includes('pg_ctl')), stop.spawned.join('\n'));
  const start = await runRb(['db', 'start'], { cwd, env });
  assert.is(start.code, 0, start.stderr);
});

test('a postmaster.pid left by a server that is gone is not taken for a running server: the next command starts it', async () => {
  const running = readFileSync(pidFile, 'utf8');
  const stop = await runRb(['db', 'stop'], { cwd, env });
  assert.is(stop.code, 0, stop.stderr);
  const gone = spawnSync('true').pid; // a process that has ended: its pid names nothing now
  writeFileSync(pidFile, running.replace(/^\d+/, String(gone)));
  const status = await recorded(['status']);
  assert.is(status.code, 0, status.stderr);
  assert.match(status.stdout, /1 applied, 0 pending/);
  assert.ok(status.spawned.some((line) => line.includes('pg_ctl')), 'started with pg_ctl');
  assert.not.match(readFileSync(pidFile, 'utf8'), new RegExp(`^${gone}\n`));
});

test('the database dropped while the server runs: the next command creates it again', async () => {
  await withSql(await databaseUrl('postgres'), (sql) => sql`drop database development with (force)`);
  const connections = await connectionsDuring(async () => {
    const status = await runRb(['status'], { cwd, env });
    assert.is(status.code, 0, status.stderr);
    assert.match(status.stdout, /0 applied, 1 pending; current version: none\n$/);
  });
  // The quick check's connection is refused (no such database); the full path creates it through "postgres".
  assert.ok(connections.includes('postgres'), connections.join(' '));
  assert.ok(existsSync(pidFile));
});

test.run();
