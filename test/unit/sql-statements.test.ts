import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lineAndColumn, refusedInTransaction, splitStatements } from '../../src/migrations/sql-statements.ts';
import { parseRbDirectives } from '../../src/migrations/rb-directives.ts';
import { parseMigrationText, transactionFalseProblem } from '../../src/migrations/migration-file.ts';

const texts = (sql: string) => splitStatements(sql).map((s) => s.text);

test('semicolons inside strings, quoted names, comments and dollar quotes do not end a statement', () => {
  const sql = [
    "insert into t values ('a;b', 'it''s; fine');",
    'select "we;ird" from t; -- a comment; with a semicolon',
    "select E'back\\'slash;' as x;",
    '/* block; /* nested; */ still comment; */ select 1;',
    'create function f() returns int language plpgsql as $body$ begin return 1; end; $body$;',
    'do $$ begin perform 1; end $$;',
    "select U&'\\0041;' ;",
  ].join('\n');
  assert.equal(texts(sql), [
    "insert into t values ('a;b', 'it''s; fine')",
    'select "we;ird" from t',
    "select E'back\\'slash;' as x",
    'select 1',
    'create function f() returns int language plpgsql as $body$ begin return 1; end; $body$',
    'do $$ begin perform 1; end $$',
    "select U&'\\0041;'",
  ]);
});

test('statements carry their line; comment-only and empty statements are not statements', () => {
  const statements = splitStatements('-- only a comment\n\ncreate table a (id int);\n;;\n  /* x */\nalter table a\n  add column b int;\n');
  assert.equal(statements.map((s) => [s.line, s.words.slice(0, 2)]), [[3, ['create', 'table']], [6, ['alter', 'table']]]);
  assert.equal(splitStatements('-- nothing here\n/* nor here */\n'), []);
});

test('a BEGIN ATOMIC function body (with CASE ... END inside) is one statement, as psql splits it', () => {
  const sql =
    'create or replace function add(a int, b int) returns int language sql\nbegin atomic\n  select case when a > 0 then a + b else b end;\n  select 1;\nend;\nselect 2;';
  assert.equal(splitStatements(sql).map((s) => s.line), [1, 6]);
  // Outside a routine, BEGIN is a statement of its own.
  assert.equal(texts('begin; select 1; commit;'), ['begin', 'select 1', 'commit']);
});

test('parameters ($1) and identifiers with $ are not dollar quotes', () => {
  assert.equal(texts('prepare p as select $1; select a$b$ from t;'), ['prepare p as select $1', 'select a$b$ from t']);
});

test('statements that cannot run in a transaction block are recognised', () => {
  const names = splitStatements(
    'create unique index concurrently i on t (a); drop index concurrently i; vacuum t; reindex index concurrently i; create index i on t (a); alter system set x = 1;',
  ).map(refusedInTransaction);
  assert.equal(names, ['CREATE INDEX CONCURRENTLY', 'DROP INDEX CONCURRENTLY', 'VACUUM', 'REINDEX', undefined, 'ALTER SYSTEM']);
});

test('line and column count characters, not a CR before LF', () => {
  assert.equal(lineAndColumn('ab\r\ncd', 4), { line: 2, column: 1 });
  assert.equal(lineAndColumn('ab\r\ncd', 5), { line: 2, column: 2 });
});

test('-- rb: lines: timeouts, irreversible with its section, and problems with their lines', () => {
  const parsed = parseRbDirectives(
    '-- rb: lock_timeout=30s\n-- migrate:up\nselect 1;\n-- rb: statement_timeout=2h, lock_timeout=1s\n-- migrate:down\n-- rb:irreversible drops data\n-- rb: lock_timout=1s\n-- rb: statement_timeout=soon\n',
  );
  assert.equal(parsed.timeouts, { lockTimeout: '1s', statementTimeout: '2h' });
  assert.equal(parsed.irreversible, { line: 6, reason: 'drops data', section: 'down' });
  assert.equal(parsed.problems.map((p) => p.line), [7, 8]);
  assert.match(parsed.problems[0].message, 'unknown rb setting "lock_timout=1s"');
  assert.match(parsed.problems[1].message, 'statement_timeout "soon" is not a duration');
  assert.equal(parseRbDirectives('-- migrate:up\n-- rb: irreversible because\n').irreversible, { line: 2, reason: 'because', section: 'up' });
});

test('a file starting with a byte order mark parses, with its lines where they are', () => {
  const parsed = parseMigrationText('\uFEFF-- migrate:up\ncreate table t (id int);\n-- migrate:down\ndrop table t;\n', 'x.sql');
  assert.is(parsed.up.line, 1);
  assert.is(parsed.down.line, 3);
});

test('transaction:false with several statements is refused, unless they manage their own transactions', () => {
  const section = (sql: string) => parseMigrationText(`-- migrate:up transaction:false\n${sql}\n-- migrate:down\nselect 1;\n`, 'x.sql').up;
  assert.is(transactionFalseProblem(section('create index concurrently i on t (a);'), 'up'), undefined);
  const two = transactionFalseProblem(section('create index concurrently i on t (a);\ncreate index concurrently j on t (b);'), 'up');
  assert.is(two?.line, 2);
  assert.match(two!.message, 'holds 2 statements, and CREATE INDEX CONCURRENTLY cannot run among others');
  const plain = transactionFalseProblem(section('update t set a = 1;\nupdate t set b = 2;'), 'up');
  assert.is(plain?.line, 3);
  assert.match(plain!.message, 'transaction:false has no effect');
  assert.is(transactionFalseProblem(section('begin;\nupdate t set a = 1;\ncommit;\nbegin;\nupdate t set b = 2;\ncommit;'), 'up'), undefined);
});

test.run();
