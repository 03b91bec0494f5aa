// Large objects (pg_largeobject: lo_import / lo_from_bytea, oid columns pointing at them) are data:
// a restore carries them into the database it swaps in, counts them against the dump, and owns
// them as it owns the tables. Before, a restore left them out and still said every count matched.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runDbmate, withMigrationSubset } from '../../src/migrations/dbmate.ts';
import { readArchiveToc, writeRestoreList } from '../../src/restore/archive-toc.ts';
import { countDumpRows } from '../../src/restore/dump-contents.ts';
import { createEmptyDatabase, dropDatabases, repoRoot, withSql } from '../support/databases.ts';
import { migration, runRb, tempProject } from '../support/project.ts';
import { testServer } from '../support/server.ts';

const repoMigrations = path.join(repoRoot, 'db', 'migrations');
const exampleFiles = Object.fromEntries(readdirSync(repoMigrations).map((f) => [f, readFileSync(path.join(repoMigrations, f), 'utf8')]));
// The migration makes a large object of its own under a fixed oid: production's copy (changed
// since) is in the dump under the same oid, so the restore must not keep the migration's.
const DOCUMENT = '20240901000000_add_document.sql';
const files: Record<string, string> = {
  ...exampleFiles,
  [DOCUMENT]: migration(
    `create table app.document (id serial primary key, name text not null, content oid);
select lo_from_bytea(424242, 'made by the migration');`,
    'drop table app.document; select lo_unlink(424242);',
  ),
};
const cwd = tempProject(files);
const plainCwd = tempProject(exampleFiles);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'rb-restore-lo-test-'));
const role = `rb_lo_owner_${process.pid}`;
const databases: string[] = [];
async function newDatabase(): Promise<string> {
  const url = await createEmptyDatabase(import.meta.url);
  databases.push(url);
  return url;
}

async function migrate(url: string, dir: string, names: string[]): Promise<void> {
  const result = await withMigrationSubset(names.map((n) => path.join(dir, 'db', 'migrations', n)), (subset) => runDbmate({ url, migrationsDir: subset }, ['migrate']));
  if (!result.ok) throw new Error(result.stderr);
}

type LargeObject = [oid: number, owner: string, acl: string | null, comment: string | null, bytes: string];
/** Every large object: oid, owner, grants, comment, and its length and md5. */
const largeObjects = (url: string) =>
  withSql(url, async (sql) =>
    (
      await sql`select oid::int as oid, pg_get_userbyid(lomowner) as owner, lomacl::text as acl, obj_description(oid, 'pg_largeobject') as comment,
                length(lo_get(oid)) || ':' || md5(lo_get(oid)) as bytes from pg_largeobject_metadata order by oid`
    ).map((r) => [r.oid, r.owner, r.acl, r.comment, r.bytes] as LargeObject),
  );
const bytes = (data: Buffer | string) => `${Buffer.from(data).length}:${createHash('md5').update(data).digest('hex')}`;
const documents = (url: string) =>
  withSql(url, async (sql) =>
    (await sql`select d.name, convert_from(lo_get(d.content), 'UTF8') as text from app.document d where d.name <> 'big' and d.name <> 'binary' order by d.id`).map((r) => [r.name, r.text]),
  );

const dumpsDir = path.join(cwd, '.rb', 'dumps');
let prod = '';
let keptDump = '';
let expected: LargeObject[] = [];
let restoringRole = '';

test('dump-and-restore: exact large objects (oids, bytes, comments) in the swapped-in database, owned like the tables', async () => {
  restoringRole = new URL((await testServer()).adminUrl).username;
  prod = await newDatabase();
  await migrate(prod, cwd, Object.keys(files).sort());
  const big = Buffer.alloc(300_000, 'x');
  await withSql(prod, (sql) =>
    sql.unsafe(`
    create role ${role};
    insert into app.document (name, content) values ('hello', lo_from_bytea(0, 'hello'::bytea)), ('empty', lo_from_bytea(0, ''::bytea)),
      ('binary', lo_from_bytea(0, decode('00ff0a0d5c2e0a5c2e0a', 'hex'))), ('big', lo_from_bytea(0, convert_to(repeat('x', 300000), 'UTF8')));
    -- Not referenced by any row (lo_import'ed and forgotten): still production's data.
    select lo_from_bytea(0, 'orphan'::bytea);
    -- The migration's object, changed on production since.
    select lo_put(424242, 0, 'MADE');
    comment on large object 424242 is 'from the migration';
    -- Production's owner and grants, which the restore does not carry (as for tables).
    alter large object 424242 owner to ${role};
    grant select on large object 424242 to public;`),
  );
  const prodObjects = await largeObjects(prod);
  assert.is(prodObjects.length, 6);
  assert.equal(prodObjects.at(-1), [424242, role, `{${role}=rw/${role},=r/${role}}`, 'from the migration', bytes('MADE by the migration')]);
  assert.ok(prodObjects.some((o) => o[4] === bytes(big)));
  assert.ok(prodObjects.some((o) => o[4] === bytes(Buffer.from('00ff0a0d5c2e0a5c2e0a', 'hex'))));
  expected = prodObjects.map(([oid, , , comment, data]) => [oid, restoringRole, null, comment, data]);

  // The local database has a large object of its own: the restored database replaces it.
  const local = await newDatabase();
  await withSql(local, (sql) => sql`select lo_from_bytea(0, 'local only'::bytea)`);
  const result = await runRb(['dump-and-restore', '--keep-dump'], { cwd, env: { DATABASE_URL: local, PROD_DATABASE_URL: prod } });
  assert.is(result.code, 0, result.stderr);
  assert.equal(await largeObjects(local), expected);
  assert.equal(await documents(local), [['hello', 'hello'], ['empty', '']]);
  // Every row's oid points at its object.
  assert.is(await withSql(local, async (sql) => Number((await sql`select count(*) as n from app.document d join pg_largeobject_metadata m on m.oid = d.content`)[0].n)), 4);
  assert.match(result.stdout, `\n  app.document  4 rows\n`);
  assert.match(result.stdout, `\n6 large object(s), as many as the dump's; owned by ${restoringRole}, as the tables; production's grants on large objects are not restored (1 in the dump), as for tables\n`);

  keptDump = path.join(dumpsDir, readdirSync(dumpsDir)[0]);
  // The dump's own count (the verification's side), read from the archive.
  const toc = await readArchiveToc(keptDump);
  const list = path.join(scratch, 'blobs.list');
  writeRestoreList(list, toc.entries.filter((e) => e.kind === 'BLOBS'));
  assert.is((await countDumpRows(keptDump, list)).largeObjects, 6);
});

test('restore-to-dump --jobs 2 --exclude-table-data app.document: the large objects stay, exactly', async () => {
  const local = await newDatabase();
  const result = await runRb(['restore-to-dump', keptDump, '--jobs', '2', '--exclude-table-data', 'app.document'], { cwd, env: { DATABASE_URL: local } });
  assert.is(result.code, 0, result.stderr);
  assert.equal(await largeObjects(local), expected);
  assert.match(result.stdout, '\n  app.document  data excluded (0 rows)\n');
  assert.match(result.stdout, `\n6 large object(s), as many as the dump's;`);
});

test('dump-and-restore --exclude-table app.document: pg_dump still dumps the large objects, the restore keeps them, exactly', async () => {
  const local = await newDatabase();
  const result = await runRb(['dump-and-restore', '--exclude-table', 'app.document'], { cwd, env: { DATABASE_URL: local, PROD_DATABASE_URL: prod } });
  assert.is(result.code, 0, result.stderr);
  assert.equal(await largeObjects(local), expected);
  assert.match(result.stdout, '\n  app.document  left out (--exclude-table)\n');
  assert.match(result.stdout, `\n6 large object(s), as many as the dump's;`);
});

test('a dump without large objects restores as before: no large objects, no line about them', async () => {
  const plainProd = await newDatabase();
  await migrate(plainProd, plainCwd, Object.keys(exampleFiles).sort());
  await withSql(plainProd, (sql) => sql`insert into app."user" (email) values ('a@example.com'), ('b@example.com')`);
  const local = await newDatabase();
  const result = await runRb(['dump-and-restore'], { cwd: plainCwd, env: { DATABASE_URL: local, PROD_DATABASE_URL: plainProd } });
  assert.is(result.code, 0, result.stderr);
  assert.equal(await largeObjects(local), []);
  assert.not.match(result.stdout, "large object");
  assert.match(result.stdout, "\n2 tables, 2 rows; every table's row count equals the dump's; 0 sequence(s) raised to the highest id\ntime: ");
});

test.after(async () => {
  await dropDatabases(databases);
  await withSql((await testServer()).adminUrl, (sql) => sql.unsafe(`drop role if exists ${role}`));
  for (const dir of [cwd, plainCwd, scratch]) rmSync(dir, { recursive: true, force: true });
});

test.run();
