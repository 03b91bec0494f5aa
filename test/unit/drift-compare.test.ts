import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Snapshot, SnapshotItem } from '../../src/check/schema-snapshot.ts';
import { compareSchemas } from '../../src/drift/compare-schemas.ts';

/** A snapshot from [key, parent, attrs] rows, as takeSnapshot returns them. */
function snapshot(...items: [string, string | null, Record<string, string>][]): Snapshot {
  return new Map(items.map(([key, parent, attrs]): [string, SnapshotItem] => [key, { key, parent, attrs }]));
}

const options = { label: 'production', schemas: ['app'], roles: { expected: 'postgres', actual: 'Deploy Role' } };

test('the migrating role is one name on both sides: owners, grants (quoted names too) and default privileges', () => {
  const expected = snapshot(
    ['schema app', null, { owner: 'postgres', acl: '{postgres=UC/postgres,reader=U/postgres}' }],
    ['table app.t', null, { owner: 'postgres', acl: '{postgres=arwdDxt/postgres}' }],
    ['default privileges of postgres in schema app on tables', null, { acl: '{reader=r/postgres}' }],
  );
  const actual = snapshot(
    ['schema app', null, { owner: 'Deploy Role', acl: '{"Deploy Role"=UC/"Deploy Role",reader=U/"Deploy Role"}' }],
    ['table app.t', null, { owner: 'Deploy Role', acl: '{"Deploy Role"=arwdDxt/"Deploy Role",=r/"Deploy Role"}' }],
    ['default privileges of Deploy Role in schema app on tables', null, { acl: '{reader=r/"Deploy Role"}' }],
  );
  assert.equal(compareSchemas(expected, actual, options).differences.map((d) => d.text), [
    'table app.t: acl is "{"Deploy Role"=arwdDxt/"Deploy Role",=r/"Deploy Role"}" in production, "{"Deploy Role"=arwdDxt/"Deploy Role"}" in the migrations',
  ]);
  // A role whose name only starts like the migrating role's is another role.
  const other = snapshot(['table app.t', null, { owner: 'postgres', acl: '{postgres_ro=r/postgres}' }]);
  assert.equal(compareSchemas(other, snapshot(['table app.t', null, { owner: 'Deploy Role', acl: '{postgres_ro=r/"Deploy Role"}' }]), options).differences, []);
});

test('only what the migrations own: their schemas and rb.schemas, without other tools\' tables or extension versions', () => {
  const expected = snapshot(
    ['schema app', null, {}],
    ['schema public', null, {}],
    ['extension pgcrypto', null, { schema: 'public', version: '1.3' }],
  );
  const actual = snapshot(
    ['schema app', null, {}],
    ['schema public', null, {}],
    ['schema reporting', null, {}],
    ['view reporting.v', null, {}],
    ['extension pgcrypto', null, { schema: 'public', version: '1.4' }],
    ['extension pg_stat_statements', null, { schema: 'public', version: '1.10' }],
    ['table public.flyway_schema_history', null, {}],
    ['column public.flyway_schema_history.installed_rank', 'table public.flyway_schema_history', {}],
    ['index public.flyway_schema_history_s_idx', 'table public.flyway_schema_history', {}],
    ['table app.flyway_schema_history_old', null, {}],
  );
  const result = compareSchemas(expected, actual, { ...options, schemas: ['app', 'audit'] });
  assert.equal(result.differences.map((d) => `${d.kind}: ${d.text}`), [
    'extra: extension pg_stat_statements exists in production but no migration creates it',
    'extra: table app.flyway_schema_history_old exists in production but no migration creates it',
  ]);
  assert.equal(result.notCompared, ['reporting']);
  // rb.schemas are compared even when no migration creates them.
  assert.equal(compareSchemas(snapshot(), snapshot(['schema audit', null, {}]), { ...options, schemas: ['audit'] }).differences.map((d) => d.text), [
    'schema audit exists in production but no migration creates it',
  ]);
});

test('sentences: missing, a changed attribute, a rename', () => {
  const expected = snapshot(
    ['schema app', null, {}],
    ['column app.t.a', 'table app.t', { type: 'character varying(10)' }],
    ['column app.t.e', 'table app.t', { type: 'text', 'not null': 'not null' }],
    ['column app.t.f', 'table app.t', { type: 'text' }],
    ['index app.t_b_idx', 'table app.t', { definition: 'CREATE INDEX t_b_idx ON app.t USING btree (b)' }],
    ['constraint app.t.t_a_check', 'table app.t', { definition: "CHECK ((a)::text <> ''::text)" }],
  );
  const actual = snapshot(
    ['schema app', null, {}],
    ['column app.t.a', 'table app.t', { type: 'text' }],
    ['column app.t.e', 'table app.t', { type: 'text' }],
    ['column app.t.f', 'table app.t', { type: 'text', 'not null': 'not null' }],
    ['constraint app.t.t_a_nonempty', 'table app.t', { definition: "CHECK ((a)::text <> ''::text)" }],
  );
  assert.equal(compareSchemas(expected, actual, options).differences.map((d) => d.text), [
    'constraint app.t.t_a_check is named t_a_nonempty in production (same definition)',
    'index app.t_b_idx is missing in production (the migrations create it)',
    'column app.t.a: type is "text" in production, "character varying(10)" in the migrations',
    'column app.t.e is nullable in production, NOT NULL in the migrations',
    'column app.t.f is NOT NULL in production, nullable in the migrations',
  ]);
});

test.run();
