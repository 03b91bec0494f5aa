import { existsSync, mkdtempSync, chmodSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withSql } from '../support/databases.ts';
import { freePort, testServer } from '../support/server.ts';
import { migration, runRb, rbBin, tempProject } from '../support/project.ts';

// The embedded server of a project with no DATABASE_URL: started on demand, reused, stopped.
const cwd = tempProject({
  '20240101000001_app.sql': migration('create schema app;\ncreate table app.t (id int);', 'drop table app.t;\ndrop schema app;'),
});
let port = 0;
let env: Record<string, string> = {};

test.before(async () => {
  port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rb-local-db-'));
  chmodSync(dataDir, 0o755);
  env = { RB_LOCAL_PORT: String(port), RB_LOCAL_DATA_DIR: path.join(dataDir, 'pg') };
});

test.after(async () => {
  await runRb(['db', 'stop'], { cwd, env });
});

test('without DATABASE_URL, upgrade starts the embedded server, creates the database and migrates it', async () => {
  const status = await runRb(['db', 'status'], { cwd, env });
  assert.is(status.code, 0, status.stderr);
  assert.match(status.stdout, /^not running/);
  const up = await runRb(['upgrade'], { cwd, env });
  assert.is(up.code, 0, up.stderr);
  assert.match(up.stdout, `local database postgres@127.0.0.1:${port}/development: applied 1 migration(s)`);
  assert.ok(existsSync(path.join(cwd, 'db', 'schema.sql')));
  const url = await runRb(['db', 'url'], { cwd, env });
  const password = readFileSync(path.join(env.RB_LOCAL_DATA_DIR, 'superuser-password'), 'utf8').trim();
  assert.is(url.stdout, `postgres://postgres:${password}@127.0.0.1:${port}/development?sslmode=disable\n`);
  const rows = await withSql(url.stdout.trim(), (sql) => sql`select count(*)::int as n from app.t`);
  assert.is(rows[0].n, 0);
});

test('the server is reused by later commands and reported by rb db status', async () => {
  const status = await runRb(['db', 'status'], { cwd, env });
  assert.match(status.stdout, new RegExp(`^running on port ${port} \\(pid \\d+`));
  const again = await runRb(['upgrade'], { cwd, env });
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, 'up to date, nothing to apply');
});

test('db stop stops it; the next command starts it again with the data kept', async () => {
  const stop = await runRb(['db', 'stop'], { cwd, env });
  assert.is(stop.stdout, 'local PostgreSQL stopped\n');
  const stopped = await runRb(['db', 'status'], { cwd, env });
  assert.match(stopped.stdout, /^not running/);
  const current = await runRb(['current'], { cwd, env });
  assert.is(current.code, 0, current.stderr);
  assert.is(current.stdout, '20240101000001\n');
});

test('DATABASE_URL wins: the embedded server is not started', async () => {
  await runRb(['db', 'stop'], { cwd, env });
  const other = tempProject();
  const refused = await runRb(['status'], { cwd: other, env: { ...env, DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/development` } });
  assert.is(refused.code, 3);
  assert.match(refused.stderr, 'connection refused');
  const status = await runRb(['db', 'status'], { cwd, env });
  assert.match(status.stdout, /^not running/);
});

test('a port taken by another program is named, with the fix', async () => {
  const net = await import('node:net');
  const blocker = net.createServer();
  const taken = await freePort();
  await new Promise<void>((resolve) => blocker.listen(taken, '127.0.0.1', resolve));
  try {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rb-local-db-'));
    chmodSync(dataDir, 0o755);
    const result = await runRb(['db', 'start'], { cwd, env: { RB_LOCAL_PORT: String(taken), RB_LOCAL_DATA_DIR: path.join(dataDir, 'pg') } });
    assert.is(result.code, 3);
    assert.is(
      result.stderr,
      `rb: could not start the local PostgreSQL: port ${taken} on 127.0.0.1 is taken by another program; give this project its own port with RB_LOCAL_PORT or "rb": {"localPort": <port>} in package.json (or stop that server)\n`,
    );
    assert.not.ok(existsSync(path.join(dataDir, 'pg', 'data', 'PG_VERSION')), 'refused before initdb');
  } finally {
    blocker.close();
  }
});

test('a port where another PostgreSQL (another project\'s rb server) listens is named as such at once', async () => {
  const other = new URL((await testServer()).adminUrl);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'rb-local-db-'));
  chmodSync(dataDir, 0o755);
  const result = await runRb(['db', 'start'], { cwd, env: { RB_LOCAL_PORT: other.port || '5432', RB_LOCAL_DATA_DIR: path.join(dataDir, 'pg') } });
  assert.is(result.code, 3);
  assert.is(
    result.stderr,
    `rb: could not start the local PostgreSQL: port ${other.port} on 127.0.0.1 is taken by another PostgreSQL server (another project's rb server, or a system one); ` +
      'give this project its own port with RB_LOCAL_PORT or "rb": {"localPort": <port>} in package.json (or stop that server)\n',
  );
  assert.not.ok(existsSync(path.join(dataDir, 'pg', 'data', 'PG_VERSION')), 'refused before initdb');
});

test('an ordinary (non-root) user runs the embedded server the same way', async () => {
  const { spawnSync } = await import('node:child_process');
  const { chownSync, readdirSync } = await import('node:fs');
  const project = tempProject({ '20240101000001_t.sql': migration('create table t (id int);', 'drop table t;') });
  chmodSync(project, 0o755);
  const asRoot = process.getuid?.() === 0;
  // As root (CI), run rb as the unprivileged "postgres" user that owns the project; otherwise we already are one.
  const { serverUser } = await import('../../src/local-db/server-user.ts');
  const owner = asRoot ? (await serverUser())?.uid : undefined;
  if (owner !== undefined) {
    const own = (dir: string) => {
      chownSync(dir, owner, owner);
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) own(full);
        else chownSync(full, owner, owner);
      }
    };
    own(project);
  }
  const ownPort = String(await freePort());
  const rb = (...args: string[]) => {
    const command = [process.execPath, rbBin, ...args];
    const env = { PATH: process.env.PATH ?? '', RB_LOCAL_PORT: ownPort, HOME: project };
    const result = asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...command], { cwd: project })
      : spawnSync(command[0], command.slice(1), { cwd: project, env });
    return { code: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
  };
  try {
    const up = rb('upgrade');
    assert.is(up.stderr, '');
    assert.is(up.code, 0);
    assert.match(up.stdout, `local database postgres@127.0.0.1:${ownPort}/development: applied 1 migration(s)`);
    const { statSync } = await import('node:fs');
    if (owner !== undefined) assert.is(statSync(path.join(project, '.rb', 'postgres', 'data')).uid, owner);
  } finally {
    assert.is(rb('db', 'stop').stdout, 'local PostgreSQL stopped\n');
  }
});

test.run();
