// rb import golang-migrate on a real history: OpenMeter's 269 golang-migrate pairs
// (../shared/acceptance/openmeter, see its SOURCE.md), converted, applied to an empty database,
// and recorded on a database that golang-migrate left at its newest version.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMigrationText } from '../src/migrations/migration-file.ts';
import { createEmptyDatabase, repoRoot, withSql } from '../test/support/databases.ts';
import { runRb, tempProject } from '../test/support/project.ts';

const source = path.join(repoRoot, '..', 'shared', 'acceptance', 'openmeter', 'tools', 'migrate', 'migrations');
const NEWEST = '20260818090123';

test('rb import golang-migrate: 269 OpenMeter pairs convert byte for byte, build an empty database, and are recorded from golang-migrate\'s table', async () => {
  const cwd = tempProject();
  writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'openmeter', private: true, rb: { schemas: ['public'] } }));
  const converted = await runRb(['import', 'golang-migrate', source], { cwd, env: {} });
  assert.is(converted.code, 0, converted.stderr);
  assert.match(converted.stdout, /^Converted 269 golang-migrate migration\(s\) into db\/migrations \(269 new, 0 there already\):\n/);
  const dir = path.join(cwd, 'db', 'migrations');
  const files = readdirSync(dir).sort();
  assert.is(files.length, 269);
  let standaloneUps = 0;
  let irreversible = 0;
  for (const file of files) {
    const parsed = parseMigrationText(readFileSync(path.join(dir, file), 'utf8'), file);
    const base = readdirSync(source).find((f) => f.startsWith(file.slice(0, 15)) && f.endsWith('.up.sql'))!.replace(/\.up\.sql$/, '');
    const up = readFileSync(path.join(source, `${base}.up.sql`), 'utf8');
    assert.is(parsed.up.sql, up.endsWith('\n') ? up : `${up}\n`, `${file}: the up SQL byte for byte`);
    if (parsed.up.options.transaction === 'false') standaloneUps += 1;
    if (parsed.directives.irreversible) irreversible += 1;
  }
  // SOURCE.md: 12 up files have their own BEGIN/COMMIT; 25 down files are empty or comments only.
  assert.is(standaloneUps, 12);
  assert.is(irreversible, 25);

  const fresh = await createEmptyDatabase(import.meta.url);
  const upgrade = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: fresh } });
  assert.is(upgrade.code, 0, upgrade.stderr);
  assert.match(upgrade.stdout, ': applied 269 migration(s)\n');

  // A database golang-migrate migrated: the same schema, and its one-row table at the newest version.
  const migrated = await createEmptyDatabase(import.meta.url);
  assert.is((await runRb(['upgrade'], { cwd, env: { DATABASE_URL: migrated } })).code, 0);
  await withSql(migrated, (sql) => sql.unsafe(`
    drop table public.schema_migrations; drop table public.rb_migrations;
    create table public.schema_migrations (version bigint not null primary key, dirty boolean not null);
    insert into public.schema_migrations values (${NEWEST}, false);`));
  const recorded = await runRb(['import', 'golang-migrate', source, '--database-url', migrated], { cwd, env: {} });
  assert.is(recorded.code, 0, recorded.stderr);
  assert.match(recorded.stdout, '(0 new, 269 there already)');
  assert.match(recorded.stdout, `: version ${NEWEST}, clean\n`);
  assert.match(recorded.stdout, 'Recorded 269 migration(s) as applied on ');
  const status = await runRb(['status'], { cwd, env: { DATABASE_URL: migrated } });
  assert.is(status.stdout.trim().split('\n').at(-1), `269 applied, 0 pending; current version: ${NEWEST}`);
  const again = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: migrated } });
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, ': up to date, nothing to apply\n');
});

test.run();
