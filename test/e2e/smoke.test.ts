import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, withSql } from '../support/databases.ts';
import { migration, runRb, tempProject } from '../support/project.ts';

test('upgrade then downgrade through the real rb process', async () => {
  const url = await createEmptyDatabase(import.meta.url);
  const cwd = tempProject({
    '001_one.sql': migration('create table one (id int);', 'drop table one;'),
    '002_two.sql': migration('create table two (id int);', 'drop table two;'),
  });
  const up = await runRb(['upgrade'], { cwd, env: { DATABASE_URL: url } });
  assert.is(up.stderr, '');
  assert.is(up.code, 0);
  assert.match(up.stdout, 'Applied: 002_two.sql');
  const versions = await withSql(url, (sql) => sql`select version from schema_migrations order by version`);
  assert.equal(versions.map((r) => r.version), ['001', '002']);
});

test.run();
