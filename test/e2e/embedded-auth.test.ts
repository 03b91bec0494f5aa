import { appendFileSync, chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot, withSql } from '../support/databases.ts';
import { freePort } from '../support/server.ts';
import { runRb, tempProject } from '../support/project.ts';
import { runProcess } from '../../src/process.ts';
import { embeddedBinary } from '../../src/local-db/embedded-server.ts';
import { serverUser } from '../../src/local-db/server-user.ts';

// The embedded server asks every connection for the password kept under .rb/ (mode 0600): another
// OS user on the machine can neither connect nor read the password. rb's own tools still connect.

const OTHER_USER = 'rb-test-other';

/** A second OS user, created for this test (useradd), to play "another user on the machine". */
async function ensureOtherUser(): Promise<void> {
  assert.is(process.getuid?.(), 0, 'this test creates an OS user: it runs as root, as CI and make test do here');
  if ((await runProcess('id', ['-u', OTHER_USER])).ok) return;
  const created = await runProcess('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', OTHER_USER]);
  assert.ok(created.ok, created.stderr);
}

/** Runs a program as the other user, with an environment of its own (no PGPASSWORD of ours). */
function asOtherUser(command: string, args: string[]) {
  return runProcess('runuser', ['-u', OTHER_USER, '--', 'env', '-i', `PATH=${process.env.PATH}`, command, ...args]);
}

/** psql as the other user: -w never prompts, so a server that wants a password refuses at once. */
function otherUserPsql(url: string) {
  return asOtherUser('psql', ['-w', '-X', '-At', '-d', url, '-c', 'select count(*) from pg_roles']);
}

const passwordOf = (dataDir: string) => readFileSync(path.join(dataDir, 'superuser-password'), 'utf8').trim();

/** A project with the repository's migrations and queries, readable by every user (0755). */
function project(): { cwd: string; env: Record<string, string> } {
  const cwd = tempProject();
  chmodSync(cwd, 0o755);
  cpSync(path.join(repoRoot, 'db', 'migrations'), path.join(cwd, 'db', 'migrations'), { recursive: true });
  cpSync(path.join(repoRoot, 'pgtyped.config.json'), path.join(cwd, 'pgtyped.config.json'));
  mkdirSync(path.join(cwd, 'queries'));
  for (const file of ['user.sql', 'my_model.sql']) cpSync(path.join(repoRoot, 'queries', file), path.join(cwd, 'queries', file));
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { rb: unknown };
  writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'rb-auth-test', private: true, rb: pkg.rb }));
  return { cwd, env: {} };
}

const stopAfter: { cwd: string; env: Record<string, string> }[] = [];
test.after(async () => {
  for (const { cwd, env } of stopAfter) await runRb(['db', 'stop'], { cwd, env });
});

test('a new embedded server: other OS users cannot connect or read the password; rb upgrade, types, check and psql "$(rb db url)" work', async () => {
  await ensureOtherUser();
  const { cwd } = project();
  const env = { RB_LOCAL_PORT: String(await freePort()) };
  stopAfter.push({ cwd, env });

  const up = await runRb(['upgrade'], { cwd, env });
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, `local database postgres@127.0.0.1:${env.RB_LOCAL_PORT}/development: applied 3 migration(s)`);
  assert.match(up.stdout, 'Wrote queries/my_model.queries.ts\nWrote queries/user.queries.ts\n2 query file(s): 2 written, 0 unchanged');
  const types = await runRb(['types'], { cwd, env });
  assert.is(types.code, 0, types.stderr);
  assert.is(types.stdout, '2 query file(s): 0 written, 2 unchanged (nothing changed since the last run)\n');
  const check = await runRb(['check'], { cwd, env });
  assert.is(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /^rb check: 3 migration\(s\); well-formed ok, round-trip ok \(3 down\(s\) checked\), impact ok \(3 up\(s\) read\), lint ok, generated ok; no problems/m);

  const dataDir = path.join(cwd, '.rb', 'postgres');
  const passwordFile = path.join(dataDir, 'superuser-password');
  assert.is(statSync(passwordFile).mode & 0o777, 0o600);
  assert.is(statSync(passwordFile).uid, process.getuid!());
  const password = passwordOf(dataDir);
  assert.match(password, /^[A-Za-z0-9_-]{32}$/);

  const url = await runRb(['db', 'url'], { cwd, env });
  assert.is(url.code, 0, url.stderr);
  assert.is(url.stdout, `postgres://postgres:${password}@127.0.0.1:${env.RB_LOCAL_PORT}/development?sslmode=disable\n`);
  // psql "$(rb db url)", without PGPASSWORD: the URL itself carries the password.
  const psql = await runProcess('psql', ['-w', '-X', '-At', '-d', url.stdout.trim(), '-c', 'select count(*) from app."user"'], {
    env: { PATH: process.env.PATH },
  });
  assert.is(psql.stderr, '');
  assert.is(psql.stdout, '0\n');

  // Another OS user: no password, a guessed one, or trying to read the file: all refused.
  const bare = `postgres://postgres@127.0.0.1:${env.RB_LOCAL_PORT}/development?sslmode=disable`;
  const noPassword = await otherUserPsql(bare);
  assert.is(noPassword.code, 2);
  assert.match(noPassword.stderr, 'fe_sendauth: no password supplied');
  const guessed = await otherUserPsql(bare.replace('postgres@', 'postgres:postgres@'));
  assert.is(guessed.code, 2);
  assert.match(guessed.stderr, 'password authentication failed for user "postgres"');
  const read = await asOtherUser('cat', [passwordFile]);
  assert.is(read.code, 1);
  assert.match(read.stderr, 'Permission denied');
  // The project directory is open to the other user (0755): the file's own mode is what protects it.
  assert.ok((await asOtherUser('test', ['-r', path.join(cwd, 'package.json')])).ok);

  // The verifier uses 1000 SCRAM iterations (PostgreSQL's initdb stores 4096): a cluster that has
  // 4096 (made by an earlier rb) gets 1000 on its next start, with the same password.
  const verifier = () => withSql(url.stdout.trim(), async (sql) => (await sql`select rolpassword from pg_authid where rolname = 'postgres'`)[0].rolpassword as string);
  assert.match(await verifier(), /^SCRAM-SHA-256\$1000:/);
  await withSql(url.stdout.trim(), (sql) => sql.unsafe(`set password_encryption = 'scram-sha-256'; alter role postgres password '${password}'`));
  assert.match(await verifier(), /^SCRAM-SHA-256\$4096:/);
  assert.is((await runRb(['db', 'stop'], { cwd, env })).code, 0);
  const restarted = await runRb(['db', 'start'], { cwd, env });
  assert.is(restarted.code, 0, restarted.stderr);
  assert.match(await verifier(), /^SCRAM-SHA-256\$1000:/);
  assert.is(passwordOf(dataDir), password);
  // libpq (psql, pg_dump), dbmate (lib/pq, which refuses fewer than 1000) and pgtyped log in with it.
  const psqlAgain = await runProcess('psql', ['-w', '-X', '-At', '-d', url.stdout.trim(), '-c', 'select 1'], { env: { PATH: process.env.PATH } });
  assert.is(psqlAgain.stdout, '1\n', psqlAgain.stderr);
  writeFileSync(path.join(cwd, 'db', 'migrations', '20990101000000_after_restart.sql'), '-- migrate:up\ncreate table app.after_restart (id int);\n\n-- migrate:down\ndrop table app.after_restart;\n');
  const upAgain = await runRb(['upgrade'], { cwd, env });
  assert.is(upAgain.code, 0, upAgain.stderr);
  assert.match(upAgain.stdout, 'applied 1 migration(s)');
  assert.match(readFileSync(path.join(cwd, 'db', 'schema.sql'), 'utf8'), 'CREATE TABLE app.after_restart');
  const again = await runRb(['upgrade'], { cwd, env });
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, 'up to date, nothing to apply');
});

/** A cluster as rb initialised it before issue 9: trust for every local connection, no password. */
async function oldTrustCluster(running: boolean) {
  const base = mkdtempSync(path.join(os.tmpdir(), 'rb-old-trust-'));
  chmodSync(base, 0o755);
  const root = path.join(base, 'pg');
  const data = path.join(root, 'data');
  mkdirSync(root);
  const user = await serverUser();
  if (user) chownSync(root, user.uid, user.gid);
  const run = (binary: 'initdb' | 'pg_ctl', args: string[]) =>
    user ? runProcess('runuser', ['-u', user.name, '--', embeddedBinary(binary), ...args]) : runProcess(embeddedBinary(binary), args);
  const init = await run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
  assert.ok(init.ok, init.stderr);
  appendFileSync(path.join(data, 'postgresql.conf'), "\n# rb\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = off\n");
  const port = String(await freePort());
  const start = await run('pg_ctl', ['start', '-D', data, '-l', path.join(root, 'server.log'), '-w', '-o', `-p ${port}`]);
  assert.ok(start.ok, start.stderr);
  const bare = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}?sslmode=disable`;
  await withSql(bare('postgres'), (sql) => sql`create database development`);
  await withSql(bare('development'), (sql) =>
    sql.unsafe('create schema app; create table app.keep (id int); insert into app.keep select generate_series(1, 42)'),
  );
  if (!running) assert.ok((await run('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w'])).ok);
  return { root, data, port, bare };
}

for (const running of [true, false]) {
  test(`a data directory an older rb initialised with trust (${running ? 'still running' : 'stopped'}) is converted on the next start, its data kept`, async () => {
    await ensureOtherUser();
    const old = await oldTrustCluster(running);
    const cwd = tempProject();
    const env = { RB_LOCAL_PORT: old.port, RB_LOCAL_DATA_DIR: old.root };
    stopAfter.push({ cwd, env });
    if (running) {
      // Before: anybody on the machine walks in as superuser.
      const before = await otherUserPsql(old.bare('development'));
      assert.is(before.code, 0, before.stderr);
    }
    assert.not.ok(existsSync(path.join(old.root, 'superuser-password')));

    const status = await runRb(['status'], { cwd, env });
    assert.is(status.code, 0, status.stderr);
    assert.match(status.stdout, `local database postgres@127.0.0.1:${old.port}/development`);

    const password = passwordOf(old.root);
    assert.is(statSync(path.join(old.root, 'superuser-password')).mode & 0o777, 0o600);
    const hba = readFileSync(path.join(old.data, 'pg_hba.conf'), 'utf8');
    assert.equal(hba.split('\n').filter((l) => /^(local|host)\s/.test(l)).map((l) => l.split(/\s+/).at(-1)), Array(6).fill('scram-sha-256'));
    const url = (await runRb(['db', 'url'], { cwd, env })).stdout.trim();
    assert.is(url, `postgres://postgres:${password}@127.0.0.1:${old.port}/development?sslmode=disable`);
    assert.is(await withSql(url, async (sql) => (await sql`select count(*)::int as n from app.keep`)[0].n), 42);
    const after = await otherUserPsql(old.bare('development'));
    assert.is(after.code, 2);
    assert.match(after.stderr, 'fe_sendauth: no password supplied');
    assert.match(await withSql(url, async (sql) => (await sql`select rolpassword from pg_authid where rolname = 'postgres'`)[0].rolpassword as string), /^SCRAM-SHA-256\$1000:/);
    // The password went in as a SCRAM verifier: it appears nowhere in the server's log.
    assert.not.match(readFileSync(path.join(old.root, 'server.log'), 'utf8'), password);
  });
}

test('rb db url gives the running server\'s real port, and says when the server is not running', async () => {
  const { cwd } = project();
  const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'rb-db-url-')), 'pg');
  chmodSync(path.dirname(dataDir), 0o755);
  const running = String(await freePort());
  const env = { RB_LOCAL_DATA_DIR: dataDir };
  stopAfter.push({ cwd, env });

  const before = await runRb(['db', 'url'], { cwd, env: { ...env, RB_LOCAL_PORT: running } });
  assert.is(before.code, 3);
  assert.is(before.stdout, '');
  assert.is(before.stderr, `rb: the local PostgreSQL is not running (data: ${dataDir}/data); start it with rb db start (any rb command that needs it starts it too)\n`);

  const start = await runRb(['db', 'start'], { cwd, env: { ...env, RB_LOCAL_PORT: running } });
  assert.is(start.code, 0, start.stderr);
  assert.is(start.stdout, [
    `local PostgreSQL running on port ${running} (data: ${dataDir}/data)`,
    `postgres://postgres:****@127.0.0.1:${running}/development?sslmode=disable (rb db url prints it with its password)`,
    '',
  ].join('\n'));
  // Asked with another configured port (a shell without RB_LOCAL_PORT, say): the real one is printed.
  const other = String(await freePort());
  const url = await runRb(['db', 'url'], { cwd, env: { ...env, RB_LOCAL_PORT: other } });
  assert.is(url.code, 0, url.stderr);
  assert.is(url.stdout, `postgres://postgres:${passwordOf(dataDir)}@127.0.0.1:${running}/development?sslmode=disable\n`);
  assert.is(await withSql(url.stdout.trim(), async (sql) => (await sql`select current_database() as d`)[0].d), 'development');

  // Without the password file rb cannot log in, and says what to do.
  const file = path.join(dataDir, 'superuser-password');
  renameSync(file, `${file}.away`);
  const lost = await runRb(['status'], { cwd, env: { ...env, RB_LOCAL_PORT: running } });
  assert.is(lost.code, 1);
  assert.is(lost.stderr, `rb: ${file} is missing, so rb cannot log in to the local PostgreSQL (it asks for that password); put the file back, or run "rb db stop" and delete ${dataDir} to start afresh (local data is lost)\n`);
  renameSync(`${file}.away`, file);
  assert.is((await runRb(['status'], { cwd, env: { ...env, RB_LOCAL_PORT: running } })).code, 0);
});

test.run();
