import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot, withSql } from '../support/databases.ts';
import { runRb, tempProject } from '../support/project.ts';
import { dedicatedServer } from '../support/server.ts';

/**
 * No password in process lists: every child rb starts (dbmate, the pg_dump dbmate starts for
 * db/schema.sql, pg_dump / pg_restore of a restore) gets it through the environment. A server of
 * this test's own requires a password (scram-sha-256) from the role, so every command below only
 * succeeds when the password reached its clients, and /proc/<pid>/cmdline of every process is
 * watched while it runs.
 */
const PASSWORD = `Pw-${process.pid}-x7Qz`;
const ROLE = 'app_owner';

async function passwordServer(): Promise<{ admin: string; url: (db: string) => string }> {
  const server = await dedicatedServer();
  const hba = path.join(server.dataDir, 'pg_hba.conf');
  writeFileSync(hba, `host all ${ROLE} 127.0.0.1/32 scram-sha-256\n${readFileSync(hba, 'utf8')}`);
  await withSql(server.adminUrl, async (sql) => {
    await sql.unsafe(`create role ${ROLE} login superuser password '${PASSWORD}'`);
    for (const db of ['app', 'prod', 'restored']) await sql.unsafe(`create database ${db} owner ${ROLE}`);
    await sql`select pg_reload_conf()`;
  });
  return { admin: server.adminUrl, url: (db) => `postgres://${ROLE}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}/${db}?sslmode=disable` };
}

/** Reads every process's command line every few milliseconds until stopped. */
function watchCommandLines() {
  const leaks = new Set<string>();
  const seen = new Set<string>();
  const scan = () => {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let cmdline: string;
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        continue; // it ended
      }
      if (cmdline.includes(PASSWORD) || cmdline.includes(encodeURIComponent(PASSWORD))) leaks.add(cmdline);
      for (const tool of ['dbmate', 'pg_dump', 'pg_restore']) if (new RegExp(`(^|/)${tool} `).test(cmdline)) seen.add(tool);
    }
  };
  const timer = setInterval(scan, 3);
  return {
    stop: () => {
      clearInterval(timer);
      scan();
      return { leaks: [...leaks], seen: [...seen].sort() };
    },
  };
}

test('no password on any command line during upgrade, downgrade, check, types and restore (a role that needs one)', async () => {
  const server = await passwordServer();
  const cwd = tempProject();
  cpSync(path.join(repoRoot, 'db', 'migrations'), path.join(cwd, 'db', 'migrations'), { recursive: true });
  writeFileSync(
    path.join(cwd, 'pgtyped.config.json'),
    JSON.stringify({ transforms: [{ mode: 'sql', include: '**/*.sql', emitTemplate: '{{dir}}/{{name}}.queries.ts' }], srcDir: './queries/' }),
  );
  mkdirSync(path.join(cwd, 'queries'));
  writeFileSync(path.join(cwd, 'queries', 'user.sql'), '/* @name GetUserById */\nSELECT id, email FROM "user" WHERE id = :id!;\n');
  const env = { DATABASE_URL: server.url('app') };
  const watch = watchCommandLines();

  const steps: [string, string[], Record<string, string>][] = [
    ['upgrade', ['upgrade'], env],
    ['downgrade', ['downgrade'], env],
    ['upgrade again', ['upgrade'], env],
    ['types', ['types'], env],
    ['check', ['check', '--skip', 'lint'], env],
    ['production upgrade', ['upgrade', '--prod', '--yes'], { PROD_DATABASE_URL: server.url('prod') }],
    ['restore', ['dump-and-restore'], { DATABASE_URL: server.url('restored'), PROD_DATABASE_URL: server.url('prod') }],
  ];
  for (const [name, args, stepEnv] of steps) {
    const run = await runRb(args, { cwd, env: stepEnv });
    assert.is(run.code, 0, `${name}: ${run.stdout}${run.stderr}`);
    assert.not.match(run.stdout + run.stderr, PASSWORD, `${name} printed the password`);
  }
  const { leaks, seen } = watch.stop();
  assert.equal(leaks, [], 'a process had the password on its command line');
  assert.equal(seen, ['dbmate', 'pg_dump', 'pg_restore'], 'the watch saw the child processes');
  const versions = await withSql(server.url('restored'), async (sql) => (await sql`select count(*)::int as n from public.schema_migrations`)[0].n as number);
  assert.is(versions, 3, 'the restore ran to the end');
});

test.run();
