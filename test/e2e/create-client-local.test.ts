/**
 * createClient() with no URL in an app rb manages: outside production it reaches the local
 * PostgreSQL rb runs for the project (found from a subdirectory, through .rb/local-server.json) with
 * the search_path of package.json "rb.schemas"; DATABASE_URL and .env win; NODE_ENV=production
 * never falls back; a stopped or vanished server gives one clear line. App code runs with plain node.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runProcess } from '../../src/process.ts';
import { createEmptyDatabase, withSql } from '../support/databases.ts';
import { freePort } from '../support/server.ts';
import { migration, runRb, runtimeEntry, tempProject } from '../support/project.ts';
import { parseDatabaseUrl } from '../../src/target/database-url.ts';

const cwd = tempProject({
  '20240101000001_shop.sql': migration('create schema shop;\ncreate table shop.items (id int primary key);\ninsert into shop.items values (1), (2);', 'drop schema shop cascade;'),
});
chmodSync(cwd, 0o755); // as root, the server runs as "postgres", which must reach .rb/ inside
writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'shop', private: true, rb: { schemas: ['shop'] } }));
const src = path.join(cwd, 'src', 'server');
mkdirSync(src, { recursive: true });
// Unqualified "items" resolves through the search_path createClient sets from rb.schemas.
writeFileSync(path.join(src, 'app.mjs'), `import { createClient } from ${JSON.stringify(runtimeEntry)};
const options = process.argv[2] ? JSON.parse(process.argv[2]) : undefined;
try {
  const sql = createClient(undefined, options);
  const [row] = await sql\`select current_database() as db, current_setting('search_path') as search_path, (select count(*)::int from items) as items\`;
  console.log(JSON.stringify(row));
  await sql.end();
} catch (error) {
  console.error(\`\${error.name}: \${error.message}\`);
  process.exit(1);
}
`);
let env: Record<string, string> = {};

async function runApp(extraEnv: Record<string, string> = {}, options?: object) {
  const clean: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...extraEnv };
  return runProcess(process.execPath, ['app.mjs', ...(options ? [JSON.stringify(options)] : [])], { cwd: src, env: clean });
}

test.before(async () => {
  env = { RB_LOCAL_PORT: String(await freePort()) };
});

test.after(async () => {
  await runRb(['db', 'stop'], { cwd, env });
});

test('without DATABASE_URL, createClient() in the app (from a subdirectory) uses rb\'s local server and rb.schemas', async () => {
  const up = await runRb(['upgrade'], { cwd, env });
  assert.is(up.code, 0, up.stderr);
  const record = JSON.parse(readFileSync(path.join(cwd, '.rb', 'local-server.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(Object.keys(record), ['format', 'host', 'port', 'database', 'user', 'passwordFile', 'pid', 'dataDir']);
  assert.is(record.port, Number(env.RB_LOCAL_PORT));
  assert.not.match(JSON.stringify(record), readFileSync(path.join(cwd, '.rb', 'postgres', 'superuser-password'), 'utf8').trim());
  const ran = await runApp();
  assert.is(ran.code, 0, ran.stderr);
  assert.equal(JSON.parse(ran.stdout), { db: 'development', search_path: 'shop, public', items: 2 });
  // Explicit schemas win over package.json.
  const explicit = await runApp({}, { schemas: ['public'] });
  assert.is(explicit.code, 1);
  assert.match(explicit.stderr, 'relation "items" does not exist');
});

test('DATABASE_URL from the environment, then from .env, wins over the local server', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  await withSql(url, (sql) => sql.unsafe('create schema shop; create table shop.items (id int); insert into shop.items values (7)'));
  const fromEnv = await runApp({ DATABASE_URL: url });
  assert.is(fromEnv.code, 0, fromEnv.stderr);
  assert.equal(JSON.parse(fromEnv.stdout), { db: parseDatabaseUrl(url).database, search_path: 'shop, public', items: 1 });
  writeFileSync(path.join(cwd, '.env'), `DATABASE_URL=${url}\n`);
  try {
    const fromDotenv = await runApp();
    assert.is(fromDotenv.code, 0, fromDotenv.stderr);
    assert.is((JSON.parse(fromDotenv.stdout) as { db: string }).db, parseDatabaseUrl(url).database);
    // NODE_ENV=production reads neither .env nor the local server.
    const production = await runApp({ NODE_ENV: 'production' });
    assert.is(production.code, 1);
    assert.is(production.stderr, "RuntimeError: createClient needs DATABASE_URL: it is not set, and with NODE_ENV=production rb's local server is never used; set DATABASE_URL or pass a URL\n");
  } finally {
    writeFileSync(path.join(cwd, '.env'), '');
  }
});

test('a stopped or vanished local server: one line saying to run rb db start', async () => {
  const recordFile = path.join(cwd, '.rb', 'local-server.json');
  const record = JSON.parse(readFileSync(recordFile, 'utf8')) as { pid: number };
  // The server died without rb db stop (a crash, a reboot): the record stays, its postmaster is gone.
  const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
  writeFileSync(recordFile, JSON.stringify({ ...record, pid: gone }));
  const vanished = await runApp();
  assert.is(vanished.code, 1);
  assert.is(vanished.stderr, `RuntimeError: rb's local PostgreSQL for ${cwd} is not running (it was on port ${env.RB_LOCAL_PORT}); start it with \`npx rb db start\`, or set DATABASE_URL\n`);
  writeFileSync(recordFile, JSON.stringify(record));

  assert.is((await runRb(['db', 'stop'], { cwd, env })).stdout, 'local PostgreSQL stopped\n');
  const stopped = await runApp();
  assert.is(stopped.code, 1);
  assert.is(stopped.stderr, `RuntimeError: createClient needs a database: DATABASE_URL is not set and rb's local PostgreSQL for ${cwd} is not running; start it with \`npx rb db start\` (rb upgrade starts it too), or set DATABASE_URL\n`);

  const start = await runRb(['db', 'start'], { cwd, env });
  assert.is(start.code, 0, start.stderr);
  const again = await runApp();
  assert.is(again.code, 0, again.stderr);
  assert.is((JSON.parse(again.stdout) as { items: number }).items, 2);
});

test.run();
