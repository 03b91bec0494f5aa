import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, withSql } from '../support/databases.ts';
import { testServer } from '../support/server.ts';
import { migration, runRb, tempProject, type RbRun } from '../support/project.ts';
import { parseDatabaseUrl, withDatabase } from '../../src/target/database-url.ts';

// Awkward passwords, each the real password of a role on the test server (which asks for it).
// Percent-encoded, every one works in every tool rb drives (postgres.js, dbmate, pg_dump) and is
// never printed; as typed, the ones whose characters tools read differently are refused with the fix.
const PASSWORDS: { password: string; rawAccepted: boolean }[] = [
  { password: 'p@ss', rawAccepted: false }, // libpq ends the password at the first @, dbmate at the last
  { password: 'p@ss@word', rawAccepted: false },
  { password: 'two words', rawAccepted: false }, // dbmate (Go) refuses a space; libpq takes it
  { password: 'pa/ss', rawAccepted: false },
  { password: 'pa?ss#x', rawAccepted: false },
  { password: '100%', rawAccepted: false }, // a bad percent-encoding
  { password: 'pässwörd', rawAccepted: false },
  { password: 'quote"back\\slash', rawAccepted: false },
  { password: 'pa:ss', rawAccepted: true }, // the password runs from the first colon to the @
  { password: "sub!$&'()*+,;=delims", rawAccepted: true },
  { password: 'PLAIN-pass_word.~1', rawAccepted: true },
];

const REFUSAL =
  'holds a character a URL cannot carry as it is, most likely in the password; percent-encode it (@ as %40, / as %2F, ? as %3F, # as %23, % as %25, a space as %20, non-ASCII letters as their UTF-8 bytes: encodeURIComponent in Node does it)';

const cwd = tempProject({ '20240101000001_t.sql': migration('create table t (id bigint primary key);', 'drop table t;') });
let port = 0;

test.before(async () => {
  port = parseDatabaseUrl((await testServer()).adminUrl).port;
});

/** A superuser role with this password and an empty database; the URL's password as given (raw or encoded). */
async function roleAndDatabase(index: number, password: string): Promise<{ role: string; database: string }> {
  const role = `rb_mask_${process.pid}_${index}`;
  const admin = (await testServer()).adminUrl;
  await withSql(admin, async (sql) => {
    await sql.unsafe(`create role ${role} login superuser password '${password.replace(/'/g, "''")}'`);
  });
  const database = parseDatabaseUrl(await createEmptyDatabase(import.meta.url)).database;
  return { role, database };
}

const urlOf = (role: string, passwordPart: string, database: string) => `postgres://${role}:${passwordPart}@127.0.0.1:${port}/${database}?sslmode=disable`;

function assertHidden(run: RbRun, password: string, label: string): void {
  const output = run.stdout + run.stderr;
  for (const form of new Set([password, encodeURIComponent(password)])) assert.not.match(output, form, `${label}: the password was printed`);
}

PASSWORDS.forEach(({ password, rawAccepted }, index) => {
  test(`password ${JSON.stringify(password)}: percent-encoded it works and is masked in errors, the guard, status and JSON; as typed it is ${rawAccepted ? 'accepted' : 'refused with the fix'}`, async () => {
    const { role, database } = await roleAndDatabase(index, password);
    const encoded = urlOf(role, encodeURIComponent(password), database);
    const masked = urlOf(role, '****', database);

    // Works: postgres.js, dbmate and pg_dump (db/schema.sql) all log in with it.
    const up = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: encoded } });
    assert.is(up.code, 0, up.stderr);
    assert.match(up.stdout, `${role}@127.0.0.1:${port}/${database} (from DATABASE_URL): applied 1 migration(s)`);
    assertHidden(up, password, 'upgrade');

    // Status.
    const status = await runRb(['status'], { cwd, env: { DATABASE_URL: encoded } });
    assert.is(status.code, 0, status.stderr);
    assert.is(status.stdout.split('\n')[0], `${role}@127.0.0.1:${port}/${database} (from DATABASE_URL)`);
    assertHidden(status, password, 'status');

    // An error that names the URL.
    const missing = withDatabase(encoded, `${database}_missing`);
    const error = await runRb(['status'], { cwd, env: { DATABASE_URL: missing } });
    assert.is(error.code, 3);
    assert.is(error.stderr, `rb: cannot connect to ${withDatabase(masked, `${database}_missing`)}: database does not exist; check the database name in the URL (rb upgrade creates a missing database, except production's)\n`);
    assertHidden(error, password, 'connection error');

    // The production guard.
    const prod = withDatabase(encoded, parseDatabaseUrl(await createEmptyDatabase(import.meta.url)).database);
    const guard = await runRb(['upgrade', '--prod'], { cwd, env: { PROD_DATABASE_URL: prod } });
    assert.is(guard.code, 5);
    const prodMasked = withDatabase(masked, parseDatabaseUrl(prod).database);
    assert.match(guard.stderr, `  url:      ${prodMasked}\n`);
    assert.match(guard.stderr, `rb: refusing to touch production (${prodMasked}) without a terminal to confirm on`);
    assertHidden(guard, password, 'guard');

    // JSON.
    const json = await runRb(['check', '--json', '--skip', 'lint,generated'], { cwd, env: { DATABASE_URL: encoded } });
    assert.is(json.code, 0, json.stdout + json.stderr);
    assert.is((JSON.parse(json.stdout) as { ok: boolean }).ok, true);
    assertHidden(json, password, 'check --json');

    // As typed, in each variable or flag that takes a URL.
    const raw = urlOf(role, password, database);
    for (const [args, env, source] of [
      [['status'], { DATABASE_URL: raw }, 'DATABASE_URL'],
      [['status', '--database-url', raw], {}, '--database-url'],
      [['upgrade', '--prod'], { PROD_DATABASE_URL: raw }, 'PROD_DATABASE_URL'],
    ] as const) {
      const run = await runRb([...args], { cwd, env });
      if (rawAccepted) {
        assert.is(run.code, 0, `${source}: ${run.stderr}`);
        assert.match(run.stdout, `${role}@127.0.0.1:${port}/${database}`);
      } else {
        assert.is(run.code, 2, run.stderr);
        assert.is(run.stderr, `rb: ${source} (${masked}) ${REFUSAL}\n`);
      }
      assertHidden(run, password, `${source} as typed`);
    }
  });
});

test('a URL rb cannot read at all is not echoed with its password', async () => {
  for (const [url, expected] of [
    ['host=db user=app password=s3cret dbname=shop', 'rb: DATABASE_URL is not a valid URL (host=db user=app password=**** dbname=shop); expected postgres://user@host:5432/database (password after the user: user:secret@)\n'],
    ['postgres://app:s3cret@db:notaport/shop', 'rb: DATABASE_URL is not a valid URL (postgres://app:****@db:notaport/shop); expected postgres://user@host:5432/database (password after the user: user:secret@)\n'],
    ['postgres://app@db/shop?password=s3cret', 'rb: DATABASE_URL (postgres://app@db/shop?password=****) passes the password as a query parameter, which postgres.js does not read; put it after the user name, percent-encoded (user:secret@host)\n'],
    ['mysql://app:s3cret@db/shop', 'rb: DATABASE_URL must start with postgres:// (got mysql://); expected postgres://user@host:5432/database (password after the user: user:secret@)\n'],
  ]) {
    const run = await runRb(['status'], { cwd, env: { DATABASE_URL: url } });
    assert.is(run.code, 2);
    assert.is(run.stderr, expected);
  }
});

test.run();
