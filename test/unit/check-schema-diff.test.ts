import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { connect, type Sql } from '../../src/client.ts';
import { diffSnapshots } from '../../src/check/schema-diff.ts';
import { takeSnapshot } from '../../src/check/schema-snapshot.ts';
import { createEmptyDatabase } from '../support/databases.ts';

/** Snapshot, run change, snapshot again, undo everything: the readable lines rb check would print. */
async function changes(setup: string, change: string): Promise<string[]> {
  const url = await createEmptyDatabase(import.meta.url);
  const sql: Sql = connect(url, { connection: { search_path: 'pg_catalog' } });
  try {
    await sql.unsafe(`set search_path = public; ${setup}; set search_path = pg_catalog`);
    const before = await takeSnapshot(sql);
    await sql.unsafe(`set search_path = public; ${change}; set search_path = pg_catalog`);
    return diffSnapshots(before, await takeSnapshot(sql)).map((c) => c.text);
  } finally {
    await sql.end();
  }
}

test('column order counts: a column dropped and re-added moves to the end', async () => {
  assert.equal(await changes('create table t (a int, b int, c int)', 'alter table t drop column b; alter table t add column b int'), [
    'table public.t: column order changed (b from position 2 to 3)',
  ]);
  // Columns after a removed one shift position, but their order is the same: not a move.
  assert.equal(await changes('create table t (a int, b int, c int, d int)', 'alter table t drop column b; alter table t drop column d; alter table t add column d int'), [
    'column public.t.b existed before the up and is gone after the down',
  ]);
});

test('a table left behind is one line, not one per column, constraint and index', async () => {
  assert.equal(await changes('select 1', 'create table t (id int primary key, a text unique); create index t_a_idx on t (a)'), ['table public.t was left behind']);
});

test('defaults, nullability, types and comments of columns', async () => {
  assert.equal(
    await changes('create table t (a int default 1, b text)',
      "alter table t alter column a set default 2; alter table t alter column b set not null; alter table t alter column a type bigint; comment on column t.b is 'hello'"),
    [
      'column public.t.a: default changed from 1 to 2',
      'column public.t.a: type changed from "integer" to "bigint"',
      'column public.t.b: comment changed from none to "hello"',
      'column public.t.b: not null changed from none to "not null"',
    ],
  );
});

test('functions, triggers, views and sequences', async () => {
  const setup = `create table t (a int); create function f() returns int language sql as 'select 1';
    create view v as select a from t; create sequence s increment 1`;
  const change = `create or replace function f() returns int language sql as 'select 2';
    create function tf() returns trigger language plpgsql as $$ begin return new; end $$;
    create trigger t_tf before insert on t for each row execute function tf();
    create or replace view v as select a, a + 1 as b from t; alter sequence s increment 5`;
  assert.equal(await changes(setup, change), [
    'function public.tf() was left behind',
    'trigger public.t.t_tf was left behind',
    'function public.f(): definition changed from "CREATE OR REPLACE FUNCTION public.f() RETURNS integer LANGUAGE sql AS $function$select 1$function$"' +
      ' to "CREATE OR REPLACE FUNCTION public.f() RETURNS integer LANGUAGE sql AS $function$select 2$function$"',
    'sequence public.s: sequence changed from "bigint start 1 increment 1 min 1 max 9223372036854775807 cache 1" to "bigint start 1 increment 5 min 1 max 9223372036854775807 cache 1"',
    'view public.v: definition changed from "SELECT t.a FROM public.t;" to "SELECT t.a, (t.a + 1) AS b FROM public.t;"',
  ]);
});

test('a long function body is shown by its first differing line', async () => {
  const body = (n: number) => `create or replace function g(x int) returns int language plpgsql as $$\nbegin\n  -- ${'padding '.repeat(12)}\n  return x + ${n};\nend\n$$`;
  assert.equal(await changes(body(1), body(2)), ['function public.g(x integer): definition changed from line 7 "return x + 1;" to line 7 "return x + 2;"']);
});

test('grants, constraints, indexes and enum labels', async () => {
  const setup = `create table t (a int, b int); create index t_a_idx on t (a); alter table t add constraint t_b_check check (b > 0);
    create type mood as enum ('happy', 'sad')`;
  const change = `grant select on t to public; drop index t_a_idx; create index t_a_idx on t (a desc);
    alter table t drop constraint t_b_check; alter table t add constraint t_b_check check (b >= 0);
    drop type mood; create type mood as enum ('sad', 'happy')`;
  assert.equal(await changes(setup, change), [
    'constraint public.t.t_b_check: definition changed from "CHECK ((b > 0))" to "CHECK ((b >= 0))"',
    'index public.t_a_idx: definition changed from "CREATE INDEX t_a_idx ON public.t USING btree (a)" to "CREATE INDEX t_a_idx ON public.t USING btree (a DESC)"',
    'table public.t: acl changed from "{postgres=arwdDxt/postgres}" to "{postgres=arwdDxt/postgres,=r/postgres}"',
    'type public.mood: labels changed from "happy, sad" to "sad, happy"',
  ]);
});

test('a constraint or index left under another name is reported as renamed', async () => {
  assert.equal(
    await changes('create table t (a int primary key, b int); create index t_b_idx on t (b)',
      'alter table t rename constraint t_pkey to t_tmp_pkey; alter index t_b_idx rename to t_tmp_b_idx'),
    ['constraint public.t.t_pkey was renamed to t_tmp_pkey (same definition)', 'index public.t_b_idx was renamed to t_tmp_b_idx (same definition)'],
  );
});

test('an object the down removed that existed before the up', async () => {
  assert.equal(await changes('create table t (a int, b int); create index t_b_idx on t (b)', 'drop index t_b_idx; alter table t drop column a'), [
    'column public.t.a existed before the up and is gone after the down',
    'index public.t_b_idx existed before the up and is gone after the down',
  ]);
});

test.run();
