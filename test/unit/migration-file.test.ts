import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseMigrationText } from '../../src/migrations/migration-file.ts';
import { migrationSlug, utcVersion } from '../../src/migrations/new-migration.ts';
import { compareVersions } from '../../src/migrations/migration-directory.ts';
import { parseDbmateError } from '../../src/migrations/dbmate.ts';
import { UsageError } from '../../src/errors.ts';

test('slug joins words and snake-cases them', () => {
  assert.is(migrationSlug(['foo bar barfoo']), 'foo_bar_barfoo');
  assert.is(migrationSlug(['add', 'my', 'Model!']), 'add_my_model');
  assert.is(migrationSlug(['AddMyModel']), 'add_my_model');
  assert.is(migrationSlug(['  --- ']), '');
});

test('version is UTC yyyymmddhhmmss', () => {
  assert.is(utcVersion(new Date('2024-09-20T13:04:05.678Z')), '20240920130405');
});

test('sections keep their marker lines and options', () => {
  const parsed = parseMigrationText('-- comment\n-- migrate:up transaction:false\ncreate index concurrently i on t (a);\n-- migrate:down\ndrop index i;\n', 'x.sql');
  assert.is(parsed.up.line, 2);
  assert.equal(parsed.up.options, { transaction: 'false' });
  assert.is(parsed.up.sql, 'create index concurrently i on t (a);');
  assert.is(parsed.down.line, 4);
});

test('a file without a down section names the file, the line and the fix', () => {
  try {
    parseMigrationText('-- migrate:up\ncreate table t (id int);\n', 'db/migrations/1_t.sql');
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.is((error as Error).message, "db/migrations/1_t.sql:3: no '-- migrate:down' section; add a line '-- migrate:down' after the up SQL, followed by SQL that undoes it");
  }
});

test('two up/down pairs are refused (dbmate issue 820)', () => {
  assert.throws(() => parseMigrationText('-- migrate:up\nselect 1;\n-- migrate:down\nselect 1;\n-- migrate:up\nselect 2;\n', 'f.sql'), /f\.sql:5: a second '-- migrate:up'/);
});

test('versions compare as numbers', () => {
  assert.ok(compareVersions('9', '10') < 0);
  assert.ok(compareVersions('20240101000000', '20240101000001') < 0);
  assert.is(compareVersions('007', '7'), 0);
});

test('dbmate errors give line, column, message and SQLSTATE', () => {
  const parsed = parseDbmateError('Applying: 2_b.sql\nError: line: 4, column: 8, position: 57: pq: syntax error at or near "tabel" at position 4:8 (42601)\n');
  assert.equal(parsed, { sectionLine: 4, column: 8, message: 'syntax error at or near "tabel"', sqlState: '42601' });
});

test.run();
