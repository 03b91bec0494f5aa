/**
 * One set of type choices everywhere: the `sql` and `db` a backfill script gets from rb run-script
 * (one transaction and batched) return every type of README's "Type choices" table exactly as
 * createClient does, which is what the generated query types say (test/e2e/types-fidelity.test.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createMigratedDatabase, withSql } from '../support/databases.ts';
import { runRb, tempProject, runtimeEntry } from '../support/project.ts';
import { tempDir } from '../support/temp.ts';
import { createClient } from '@rbsql/runtime';


// A zone far from UTC, for rb and for this process: dates and timestamps must not shift with it.
const TZ = 'Pacific/Auckland';
process.env.TZ = TZ;

/** Every row of the README table: PostgreSQL type -> a literal to store. */
const COLUMNS: Record<string, [type: string, literal: string]> = {
  int2: ['int2', '7'], int4: ['int4', '123456'], float4: ['float4', '1.5'], float8: ['float8', '2.25'],
  int8: ['int8', "'9007199254740993'"], numeric: ['numeric(12,3)', '1234.5'],
  date: ['date', "'2024-02-29'"], dates: ['date[]', "'{2024-02-29,2023-12-31}'"],
  timestamp: ['timestamp', "'2024-03-01 23:30:00'"], timestamps: ['timestamp[]', `'{"2024-03-01 23:30:00","2024-06-30 12:00:00.5"}'`],
  timestamptz: ['timestamptz', "'2024-03-01T23:30:00Z'"],
  time: ['time', "'13:45:00'"], timetz: ['timetz', "'13:45:00+02'"], interval: ['interval', "'1 day 02:00:00'"],
  point: ['point', "'(1.5,2)'"], points: ['point[]', `'{"(1.5,2)","(-1,0)"}'`],
  bit: ['bit(3)', "'101'"], varbit: ['varbit', "'1101'"],
  int4range: ['int4range', "'[1,5)'"], tstzrange: ['tstzrange', `'["2024-01-01 00:00:00+00","2024-02-01 00:00:00+00")'`], daterange: ['daterange', "'[2024-01-01,2024-02-01)'"],
  pair: ['app.pair', "row(1, 'x')"], short_text: ['app.short_text', "'tiny'"],
  mood: ['app.mood', "'happy'"], moods: ['app.mood[]', "'{sad,happy}'"],
};

/** The row as read; `c_record` is an anonymous record built by the query. */
const QUERY = 'select t.*, row(1, $1::text) as c_record from app.type_choices t where t.id = 1';

/** What each value is, in a form JSON keeps: its JavaScript kind and its content. */
const DESCRIBE = `export function describe(value: unknown): unknown {
  if (value === null) return null;
  if (value instanceof Date) return { Date: value.toISOString() };
  if (Array.isArray(value)) return value.map(describe);
  if (typeof value === 'bigint') return { bigint: String(value) };
  if (typeof value === 'object') return { object: JSON.stringify(value) };
  return { [typeof value]: value };
}
export function describeRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(row).sort().map((key) => [key, describe(row[key])]));
}
`;

const SINGLE = `import { writeFileSync } from 'node:fs';
import type { Backfill } from '${runtimeEntry}';
import { describeRow } from '../describe.ts';

const backfill: Backfill = async ({ sql, db, args }) => {
  const [viaUnsafe] = await sql.unsafe(${JSON.stringify(QUERY)}, ['x']);
  const [viaTagged] = await sql\`select t.*, row(1, \${'x'}::text) as c_record from app.type_choices t where t.id = 1\`;
  const { rows: [viaDb] } = await db.query(${JSON.stringify(QUERY)}, ['x']);
  writeFileSync(args[0], JSON.stringify({ viaUnsafe: describeRow(viaUnsafe), viaTagged: describeRow(viaTagged), viaDb: describeRow(viaDb) }));
};
export default backfill;
`;

const BATCHED = `import { writeFileSync } from 'node:fs';
import { batchedBackfill } from '${runtimeEntry}';
import { describeRow } from '../describe.ts';

export default batchedBackfill({
  table: 'app.type_choices',
  async batch({ sql, db, args }) {
    const [viaSql] = await sql.unsafe(${JSON.stringify(QUERY)}, ['x']);
    const { rows: [viaDb] } = await db.query(${JSON.stringify(QUERY)}, ['x']);
    writeFileSync(args[0], JSON.stringify({ viaSql: describeRow(viaSql), viaDb: describeRow(viaDb) }));
    return 0;
  },
});
`;

test('rb run-script hands scripts rb\'s type choices: every README type reads as createClient reads it', async () => {
  const url = await createMigratedDatabase(import.meta.url);
  await withSql(url, (sql) => sql.unsafe(`
    alter database "${new URL(url).pathname.slice(1)}" set timezone = '${TZ}'; -- ranges print in the session's zone, whatever the server's default
    create type app.mood as enum ('sad', 'ok', 'happy');
    create type app.pair as (a int, b text);
    create domain app.short_text as text check (length(value) <= 20);
    create table app.type_choices (id int primary key, ${Object.entries(COLUMNS).map(([k, [type]]) => `c_${k} ${type}`).join(', ')});
    insert into app.type_choices values (1, ${Object.values(COLUMNS).map(([, literal]) => literal).join(', ')});`));

  const cwd = tempProject();
  writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'rb-test-project', private: true, type: 'module' }));
  writeFileSync(path.join(cwd, 'describe.ts'), DESCRIBE);
  mkdirSync(path.join(cwd, 'backfill'));
  writeFileSync(path.join(cwd, 'backfill', 'single.ts'), SINGLE);
  writeFileSync(path.join(cwd, 'backfill', 'batched.ts'), BATCHED);
  const out = tempDir('types-out-');
  const env = { DATABASE_URL: url, TZ };

  const single = await runRb(['run-script', 'backfill/single.ts', '--', path.join(out, 'single.json')], { cwd, env });
  assert.is(single.code, 0, single.stderr);
  const batched = await runRb(['run-script', 'backfill/batched.ts', '--', path.join(out, 'batched.json')], { cwd, env });
  assert.is(batched.code, 0, batched.stderr);
  const fromSingle = JSON.parse(readFileSync(path.join(out, 'single.json'), 'utf8'));
  const fromBatched = JSON.parse(readFileSync(path.join(out, 'batched.json'), 'utf8'));

  // The reference: createClient in this process, the client application code uses.
  const { describeRow } = await import(path.join(cwd, 'describe.ts'));
  const sql = createClient(url);
  let reference: Record<string, unknown>;
  try {
    reference = describeRow((await sql.unsafe(QUERY, ['x']))[0]);
  } finally {
    await sql.end({ timeout: 5 });
  }
  assert.equal(Object.keys(reference), ['c_record', ...Object.keys(COLUMNS).map((k) => `c_${k}`), 'id'].sort());
  for (const [name, row] of Object.entries({ ...fromSingle, ...Object.fromEntries(Object.entries(fromBatched).map(([k, v]) => [`batched ${k}`, v])) })) {
    assert.equal(row, reference, `${name} reads as createClient does`);
  }

  // And what they read is what README's table promises (the generated types say the same).
  const expected: Record<string, unknown> = {
    c_int2: { number: 7 }, c_int4: { number: 123456 }, c_float4: { number: 1.5 }, c_float8: { number: 2.25 },
    c_int8: { string: '9007199254740993' }, c_numeric: { string: '1234.500' },
    c_date: { string: '2024-02-29' }, c_dates: [{ string: '2024-02-29' }, { string: '2023-12-31' }],
    c_timestamp: { Date: '2024-03-01T23:30:00.000Z' }, c_timestamps: [{ Date: '2024-03-01T23:30:00.000Z' }, { Date: '2024-06-30T12:00:00.500Z' }],
    c_timestamptz: { Date: '2024-03-01T23:30:00.000Z' },
    c_time: { string: '13:45:00' }, c_timetz: { string: '13:45:00+02' }, c_interval: { string: '1 day 02:00:00' },
    c_point: [{ number: 1.5 }, { number: 2 }], c_points: [[{ number: 1.5 }, { number: 2 }], [{ number: -1 }, { number: 0 }]],
    c_bit: { string: '101' }, c_varbit: { string: '1101' },
    c_int4range: { string: '[1,5)' }, c_tstzrange: { string: '["2024-01-01 13:00:00+13","2024-02-01 13:00:00+13")' }, c_daterange: { string: '[2024-01-01,2024-02-01)' },
    c_pair: { string: '(1,x)' }, c_record: { string: '(1,x)' }, c_short_text: { string: 'tiny' },
    c_mood: { string: 'happy' }, c_moods: [{ string: 'sad' }, { string: 'happy' }],
    id: { number: 1 },
  };
  assert.equal(reference, expected);
});

test.run();
