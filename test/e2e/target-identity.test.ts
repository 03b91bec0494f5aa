import { cpSync, existsSync, mkdirSync, mkdtempSync, chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, repoRoot, withSql } from '../support/databases.ts';
import { freePort } from '../support/server.ts';
import { migration, runRb, tempProject, runtimeEntry } from '../support/project.ts';
import { runProcess } from '../../src/process.ts';
import { parseDatabaseUrl } from '../../src/target/database-url.ts';

// "Production" is a database on the test server; DATABASE_URL / --database-url reach it under
// other names. rb must recognise it by what the server says about itself, not by the URL's text.

const repoMigrations = path.join(repoRoot, 'db', 'migrations');
const exampleFiles = Object.fromEntries(readdirSync(repoMigrations).map((f) => [f, readFileSync(path.join(repoMigrations, f), 'utf8')]));
const EXTRA = '20240901000000_add_audit_log.sql';
const extraFile = migration('create table app.audit_log (id bigserial primary key, message text);', 'drop table app.audit_log;');
const TOUCH = `import type { Backfill } from '${runtimeEntry}';
const backfill: Backfill = async ({ sql }) => {
  await sql\`update app.my_model set model_prop = 'touched'\`;
};
export default backfill;
`;

/** A project ("type": "module" for the backfill) with the given migrations and backfill/touch.ts. */
function project(migrations: Record<string, string>): string {
  const dir = tempProject(migrations);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'rb-identity', private: true, type: 'module' }));
  mkdirSync(path.join(dir, 'backfill'));
  writeFileSync(path.join(dir, 'backfill', 'touch.ts'), TOUCH);
  return dir;
}

const cwd = project({ ...exampleFiles, [EXTRA]: extraFile });
const baseProject = project(exampleFiles);
let prod = '';
let dumpFile = '';
let identity = { system: '', started: '', oid: '', database: '' };

interface Forward {
  port: number;
  close: () => Promise<void>;
}

/** A TCP forward to the test server, as a port forward, a pooler or another address would be. */
async function forward(host: string, to: number): Promise<Forward> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(to, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    // A reset on one side ends the other; nothing to report.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

let alias: Forward;
let portForward: Forward;
let ipv6: Forward;

/** Production reached as `host:port` with `path` as the database part; same user and password. */
function spelled(host: string, port: number | string, database = `/${identity.database}`, user = 'postgres', password = new URL(prod).password): string {
  return `postgres://${user}:${password}@${host}:${port}${database}?sslmode=disable`;
}

const prodState = () =>
  withSql(prod, async (sql) => ({
    versions: (await sql`select version from public.schema_migrations order by 1`).map((r) => r.version as string),
    users: Number((await sql`select count(*) from app."user"`)[0].count),
    touched: Number((await sql`select count(*) from app.my_model where model_prop = 'touched'`)[0].count),
    tables: (await sql`select table_name from information_schema.tables where table_schema = 'app' order by 1`).map((r) => r.table_name as string),
  }));

const BASE_VERSIONS = ['20240801000000', '20240801000100', '20240820151319'];
const lastLine = (text: string) => text.trim().split('\n').at(-1);
const describeIdentity = (system = true) =>
  `${system ? `system identifier ${identity.system}, ` : ''}up since ${new Date(Number(identity.started) * 1000).toISOString()}, database "${identity.database}", oid ${identity.oid}`;

test.before(async () => {
  prod = await createEmptyDatabase(import.meta.url);
  const up = await runRb(['upgrade'], { cwd: baseProject, env: { DATABASE_URL: prod } });
  assert.is(up.code, 0, up.stderr);
  await withSql(prod, (sql) =>
    sql.unsafe(`insert into app."user" (email) values ('a@example.com'), ('b@example.com');
      insert into app.my_model (user_id) select min(id) from app."user";`),
  );
  dumpFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'rb-identity-')), 'prod.dump');
  const dump = await runProcess('pg_dump', ['--format=custom', '--file', dumpFile, '--dbname', prod]);
  assert.ok(dump.ok, dump.stderr);
  identity = await withSql(prod, async (sql) => {
    const [row] = await sql`select (select system_identifier::text from pg_control_system()) as system,
      extract(epoch from pg_postmaster_start_time())::text as started, oid::text, datname as database
      from pg_database where datname = current_database()`;
    return row as unknown as typeof identity;
  });
  // A role that may not read pg_control_system() in this database: identity without the system identifier.
  await withSql(prod, (sql) =>
    sql.unsafe(`create role rb_identity_reader login password 'reader-pw';
      revoke execute on function pg_control_system() from public;`),
  );
  const serverPort = parseDatabaseUrl(prod).port;
  alias = await forward('127.0.0.2', serverPort);
  portForward = await forward('127.0.0.1', serverPort);
  ipv6 = await forward('::1', serverPort);
});

test.after(async () => {
  await alias.close();
  await portForward.close();
  await ipv6.close();
  await withSql(prod, (sql) => sql`drop owned by rb_identity_reader`);
  await withSql(prod, (sql) => sql`drop role rb_identity_reader`);
});

test('restore: production under another name is refused, production untouched', async () => {
  const { port, database } = parseDatabaseUrl(prod);
  const everyByte = [...Buffer.from(database)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
  const spellings: [string, string, boolean][] = [
    ['localhost', spelled('localhost', port), true],
    ['the host name', spelled(os.hostname(), port), true],
    ['127.0.0.2', spelled('127.0.0.2', alias.port), true],
    ['another port', spelled('127.0.0.1', portForward.port), true],
    ['an IPv6 address', spelled('[::1]', ipv6.port), true],
    ['a percent-encoded database name', spelled('127.0.0.1', port, `/${everyByte}`), true],
    ['another role', spelled('localhost', port, `/${database}`, 'rb_identity_reader', 'reader-pw'), false],
  ];
  const before = await prodState();
  for (const [name, url, system] of spellings) {
    const { host, port: shownPort, user } = parseDatabaseUrl(url);
    for (const [args, env, source] of [
      [['restore-to-dump', dumpFile], { DATABASE_URL: url, PROD_DATABASE_URL: prod }, 'DATABASE_URL'],
      [['restore-to-dump', dumpFile, '--database-url', url], { PROD_DATABASE_URL: prod }, '--database-url'],
      [['dump-and-restore'], { DATABASE_URL: url, PROD_DATABASE_URL: prod }, 'DATABASE_URL'],
    ] as const) {
      const result = await runRb([...args], { cwd: baseProject, env });
      assert.is(result.code, 5, `${name}: ${result.stderr}`);
      assert.is(
        result.stderr,
        `rb: the restore target ${user}@${host}:${shownPort}/${database} (from ${source}) is production's database (PROD_DATABASE_URL); rb restores into a local database only: ` +
          `point ${source} at a local database, or unset it to use the embedded server; ${source}: the same server and database as PROD_DATABASE_URL (${describeIdentity(system)})\n`,
        name,
      );
    }
  }
  // A URL rb cannot log in with (no password) is refused by address, port and database name.
  const noPassword = `postgres://postgres@localhost:${port}/${database}?sslmode=disable`;
  const locked = await runRb(['restore-to-dump', dumpFile], { cwd: baseProject, env: { DATABASE_URL: noPassword, PROD_DATABASE_URL: prod } });
  assert.is(locked.code, 5);
  assert.match(
    locked.stderr,
    `embedded server; DATABASE_URL: it did not answer (password authentication failed), and it resolves to the same address, port ${port} and database "${database}" as PROD_DATABASE_URL\n`,
  );
  assert.equal(await prodState(), before);
  assert.equal(before.tables, ['my_model', 'user']);
  assert.not.ok(existsSync(path.join(baseProject, '.rb', 'dumps')), 'nothing was dumped');
});

test('restore: another database on the same server is not production and is restored', async () => {
  const local = await createEmptyDatabase(import.meta.url);
  const before = await prodState();
  const result = await runRb(['restore-to-dump', dumpFile], { cwd: baseProject, env: { DATABASE_URL: local, PROD_DATABASE_URL: prod } });
  assert.is(result.code, 0, result.stderr);
  const { port, database } = parseDatabaseUrl(local);
  assert.match(result.stdout, new RegExp(`^Restored \\S*prod\\.dump into postgres@127\\.0\\.0\\.1:${port}/${database} \\(from DATABASE_URL\\)$`, 'm'));
  assert.is(await withSql(local, async (sql) => Number((await sql`select count(*) from app."user"`)[0].count)), 2);
  assert.equal(await prodState(), before);
});

test('restore: when production does not answer and the target is not the embedded server, rb refuses', async () => {
  const local = await createEmptyDatabase(import.meta.url);
  const closed = await freePort();
  const unreachable = `postgres://deploy:s3cret@127.0.0.1:${closed}/shop`;
  const result = await runRb(['restore-to-dump', dumpFile], { cwd: baseProject, env: { DATABASE_URL: local, PROD_DATABASE_URL: unreachable } });
  assert.is(result.code, 5);
  const { database, port } = parseDatabaseUrl(local);
  assert.is(
    result.stderr,
    `rb: cannot tell whether the restore target postgres@127.0.0.1:${port}/${database} (from DATABASE_URL) is production's database: PROD_DATABASE_URL did not answer (connection refused (is the server running?)); ` +
      'rb restores only into a database it can tell apart from production: make PROD_DATABASE_URL reachable, leave it empty for this command (PROD_DATABASE_URL= rb ...), or unset DATABASE_URL to restore into the embedded server\n',
  );
  assert.is(await withSql(local, async (sql) => Number((await sql`select count(*) from information_schema.tables where table_schema = 'app'`)[0].count)), 0);
});

/** The guard's text for production reached through `source` as `url`. */
function guardText(url: string, source: string, action: string, plan: string[], reached = `the same server and database as PROD_DATABASE_URL (${describeIdentity()})`): string {
  const { host, port, database, user } = parseDatabaseUrl(url);
  const masked = url.replace(/:[^:@/]*@/, ':****@');
  return [
    `PRODUCTION: ${action}`,
    `  reached:  through ${source}: ${reached}`,
    `  host:     ${host}`,
    `  port:     ${port}`,
    `  database: ${database}`,
    `  user:     ${user}`,
    `  url:      ${masked}`,
    'This will:',
    ...plan.map((line) => `  - ${line}`),
    `rb: refusing to touch production (${masked}, reached through ${source}) without a terminal to confirm on; pass --yes to confirm non-interactively`,
    '',
  ].join('\n');
}

test('upgrade through DATABASE_URL / --database-url naming production asks like --prod; with --yes it applies and leaves db/schema.sql alone', async () => {
  const { port } = parseDatabaseUrl(prod);
  const viaEnv = spelled('localhost', port);
  const refused = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: viaEnv, PROD_DATABASE_URL: prod } });
  assert.is(refused.code, 5);
  assert.is(refused.stderr, guardText(viaEnv, 'DATABASE_URL', 'apply migrations', [`apply ${EXTRA}`]));
  const viaFlag = spelled(os.hostname(), port);
  const refusedFlag = await runRb(['upgrade', '--database-url', viaFlag], { cwd, env: { PROD_DATABASE_URL: prod } });
  assert.is(refusedFlag.code, 5);
  assert.is(refusedFlag.stderr, guardText(viaFlag, '--database-url', 'apply migrations', [`apply ${EXTRA}`]));
  assert.equal((await prodState()).versions, BASE_VERSIONS);

  const viaForward = spelled('127.0.0.1', portForward.port);
  const applied = await runRb(['upgrade', '--yes'], { cwd, env: { DATABASE_URL: viaForward, PROD_DATABASE_URL: prod } });
  assert.is(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, `PRODUCTION postgres@127.0.0.1:${portForward.port}/${identity.database} (through DATABASE_URL): applied 1 migration(s)`);
  assert.equal((await prodState()).versions, [...BASE_VERSIONS, '20240901000000']);
  assert.not.ok(existsSync(path.join(cwd, 'db', 'schema.sql')), 'db/schema.sql is written from the local database only');
});

test('through DATABASE_URL, production keeps the --prod refusals: out-of-order files, rolling back edited files', async () => {
  const { port } = parseDatabaseUrl(prod);
  const url = spelled('localhost', port);
  const parallel = project({ ...exampleFiles, [EXTRA]: extraFile, '20240815000000_parallel.sql': migration('create table app.parallel (id int);', 'drop table app.parallel;') });
  const outOfOrder = await runRb(['upgrade', '--yes'], { cwd: parallel, env: { DATABASE_URL: url, PROD_DATABASE_URL: prod } });
  assert.is(outOfOrder.code, 5);
  assert.match(lastLine(outOfOrder.stderr)!, /^rb: refusing to apply 20240815000000_parallel\.sql to production: older than the newest applied migration 20240901000000/);

  const edited = project({ ...exampleFiles, [EXTRA]: extraFile.replace('message text', 'message text, level int') });
  const rollback = await runRb(['downgrade', '--yes'], { cwd: edited, env: { DATABASE_URL: url, PROD_DATABASE_URL: prod } });
  assert.is(rollback.code, 5);
  assert.match(lastLine(rollback.stderr)!, `rb: refusing to roll back ${EXTRA} on production: edited after it was applied`);
  const state = await prodState();
  assert.equal(state.versions, [...BASE_VERSIONS, '20240901000000']);
  assert.equal(state.tables, ['audit_log', 'my_model', 'user']);
});

test('rb types and rb check refuse a DATABASE_URL that is production under another name: no shadow or scratch database on its server', async () => {
  const { port, database } = parseDatabaseUrl(prod);
  const url = spelled('localhost', port);
  const databases = () => withSql(prod, async (sql) => (await sql`select datname from pg_database order by 1`).map((r) => r.datname as string));
  const before = await databases();
  const typed = project(exampleFiles);
  cpSync(path.join(repoRoot, 'pgtyped.config.json'), path.join(typed, 'pgtyped.config.json'));
  cpSync(path.join(repoRoot, 'queries', 'user.sql'), path.join(typed, 'queries', 'user.sql'));
  for (const [command, what] of [['types', 'build the shadow database'], ['check', 'create its scratch database']] as const) {
    const run = await runRb([command], { cwd: typed, env: { DATABASE_URL: url, PROD_DATABASE_URL: prod } });
    assert.is(run.code, 5, `${command}: ${run.stderr}`);
    assert.is(
      run.stderr,
      `rb: refusing to ${what} on production's server: DATABASE_URL (postgres@localhost:${port}/${database}) is production's database (PROD_DATABASE_URL), and rb ${command} never uses production; ` +
        'point DATABASE_URL at a local or CI database, or unset it to use the embedded server\n',
      command,
    );
  }
  assert.equal(await databases(), before);
});

test('downgrade and run-script through DATABASE_URL naming production are guarded too', async () => {
  const { port } = parseDatabaseUrl(prod);
  const url = spelled('127.0.0.2', alias.port);
  const refused = await runRb(['downgrade'], { cwd, env: { DATABASE_URL: url, PROD_DATABASE_URL: prod } });
  assert.is(refused.code, 5);
  assert.is(refused.stderr, guardText(url, 'DATABASE_URL', 'roll back 1 migration(s)', [`roll back ${EXTRA}`]));
  const script = await runRb(['run-script', 'backfill/touch.ts'], { cwd, env: { DATABASE_URL: spelled('localhost', port), PROD_DATABASE_URL: prod } });
  assert.is(script.code, 5);
  assert.is(
    script.stderr,
    guardText(spelled('localhost', port), 'DATABASE_URL', 'run-script backfill/touch.ts', ['run backfill/touch.ts in one transaction and commit it if the script succeeds']),
  );
  assert.is((await prodState()).touched, 0);

  const done = await runRb(['downgrade', '--yes'], { cwd, env: { DATABASE_URL: url, PROD_DATABASE_URL: prod } });
  assert.is(done.code, 0, done.stderr);
  assert.is(done.stdout, `Rolled back: ${EXTRA}\n`, 'no db/schema.sql written from production');
  assert.equal((await prodState()).versions, BASE_VERSIONS);
});

test('another database on the same server, or another server, is not production: no question asked', async () => {
  const local = await createEmptyDatabase(import.meta.url);
  const sameServer = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: local, PROD_DATABASE_URL: prod } });
  assert.is(sameServer.code, 0, sameServer.stderr);
  assert.match(sameServer.stdout, `(from DATABASE_URL): applied 4 migration(s)`);
  assert.ok(existsSync(path.join(cwd, 'db', 'schema.sql')));

  // A second server (rb's embedded one, started for this), with a database of production's name.
  const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'rb-identity-other-')), 'pg');
  chmodSync(path.dirname(dataDir), 0o755);
  const env = { RB_LOCAL_PORT: String(await freePort()), RB_LOCAL_DATA_DIR: dataDir, RB_LOCAL_DATABASE: identity.database };
  const other = project(exampleFiles);
  try {
    assert.is((await runRb(['db', 'start'], { cwd: other, env })).code, 0);
    const otherUrl = (await runRb(['db', 'url'], { cwd: other, env })).stdout.trim();
    const up = await runRb(['upgrade'], { cwd: other, env: { DATABASE_URL: otherUrl, PROD_DATABASE_URL: prod } });
    assert.is(up.code, 0, up.stderr);
    assert.match(up.stdout, `postgres@127.0.0.1:${env.RB_LOCAL_PORT}/${identity.database} (from DATABASE_URL): applied 3 migration(s)`);
  } finally {
    await runRb(['db', 'stop'], { cwd: other, env });
  }
});

test('production is asked only when something would change: not by status, current or an up-to-date upgrade', async () => {
  // PROD_DATABASE_URL points at a listener that counts connections and answers none.
  let connections = 0;
  const listener = net.createServer((socket) => {
    connections += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const prodPort = (listener.address() as net.AddressInfo).port;
  const silent = `postgres://deploy:s3cret@127.0.0.1:${prodPort}/shop`;
  try {
    const local = await createEmptyDatabase(import.meta.url);
    const env = { DATABASE_URL: local, PROD_DATABASE_URL: silent };
    for (const args of [['status'], ['current']]) assert.is((await runRb(args, { cwd: baseProject, env })).code, 0);
    assert.is(connections, 0);
    const up = await runRb(['upgrade'], { cwd: baseProject, env });
    assert.is(up.code, 0, up.stderr);
    assert.ok(connections >= 1, 'asked production before applying');
    const { database, port } = parseDatabaseUrl(local);
    assert.match(
      up.stderr,
      new RegExp(
        `^warning: PROD_DATABASE_URL \\(postgres://deploy:\\*\\*\\*\\*@127\\.0\\.0\\.1:${prodPort}/shop\\) did not answer \\(.+\\), so rb could not ask whether DATABASE_URL \\(postgres@127\\.0\\.0\\.1:${port}/${database}\\) is production's database; ` +
          "going by address, port and database name it is not, so it is not treated as production$",
        'm',
      ),
    );
    assert.not.match(up.stdout + up.stderr, 's3cret');
    const asked = connections;
    const again = await runRb(['upgrade'], { cwd: baseProject, env });
    assert.is(again.code, 0, again.stderr);
    assert.match(again.stdout, 'up to date, nothing to apply');
    assert.is(connections, asked, 'an up-to-date upgrade does not connect to production');
  } finally {
    listener.close();
  }
});

test('production that does not answer: the same address, port and database name still count as production', async () => {
  const { port } = parseDatabaseUrl(prod);
  const wrongPassword = spelled('127.0.0.1', port, undefined, 'postgres', 'not-the-password');
  const url = spelled('localhost', port);
  const refused = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url, PROD_DATABASE_URL: wrongPassword } });
  assert.is(refused.code, 5);
  assert.is(
    refused.stderr,
    guardText(url, 'DATABASE_URL', 'apply migrations', [`apply ${EXTRA}`],
      `PROD_DATABASE_URL did not answer (password authentication failed), and both URLs resolve to the same address, port ${port} and database "${identity.database}"`),
  );
  assert.equal((await prodState()).versions, BASE_VERSIONS);
});

test.run();
