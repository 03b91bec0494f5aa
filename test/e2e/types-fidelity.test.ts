/**
 * The heart of issue 3: the TypeScript type rb types writes for each column describes the value
 * postgres.js (through createClient + db) returns, for every listed type, null included.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, repoRoot } from '../support/databases.ts';
import { migration, runRb, tempProject } from '../support/project.ts';
import { runProcess } from '../../src/process.ts';
import { createClient, db, EmptySpreadError } from '@rbsql/runtime';

// A zone far from UTC: dates and timestamps without time zone must not shift with it.
process.env.TZ = 'Pacific/Auckland';

/** column suffix -> SQL type; each gets a NOT NULL column c_<suffix> and a nullable n_<suffix>. */
const TYPES: Record<string, string> = {
  int2: 'int2', int4: 'int4', int8: 'int8', numeric: 'numeric(12,3)', float4: 'float4', float8: 'float8',
  bool: 'bool', text: 'text', varchar: 'varchar(20)', char: 'char(4)', uuid: 'uuid', date: 'date',
  timestamp: 'timestamp', timestamptz: 'timestamptz', time: 'time', timetz: 'timetz', interval: 'interval',
  json: 'json', jsonb: 'jsonb', bytea: 'bytea', inet: 'inet', mood: 'app.mood', moods: 'app.mood[]',
  int4s: 'int4[]', texts: 'text[]', short_text: 'app.short_text', point: 'point', bits: 'bit(3)',
  // Arrays the adapter must send right (field notes §3): wrapped with sql.array or not.
  bools: 'bool[]', stamps: 'timestamptz[]', uuids: 'uuid[]', blobs: 'bytea[]', bigints: 'int8[]',
};

/** The values inserted into the NOT NULL columns, and what must come back. */
const VALUES: Record<string, { in: unknown; out?: unknown }> = {
  int2: { in: 7 }, int4: { in: 123456 }, int8: { in: '9007199254740993' }, numeric: { in: '1234.500' },
  float4: { in: 1.5 }, float8: { in: 2.25 }, bool: { in: true }, text: { in: 'héllo' }, varchar: { in: 'short' },
  char: { in: 'ab', out: 'ab  ' }, uuid: { in: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' }, date: { in: '2024-02-29' },
  timestamp: { in: new Date('2024-03-01T23:30:00.000Z') }, timestamptz: { in: new Date('2024-03-01T23:30:00.000Z') },
  time: { in: '13:45:00' }, timetz: { in: '13:45:00+02', out: '13:45:00+02' }, interval: { in: '1 day 02:00:00' },
  json: { in: { a: [1, 'x', null] } }, jsonb: { in: { b: true } }, bytea: { in: Buffer.from([0, 1, 254]) },
  inet: { in: '10.0.0.1' }, mood: { in: 'happy' }, moods: { in: ['sad', 'happy'] }, int4s: { in: [1, 2, 3] },
  texts: { in: ['a', 'b c', ''] }, short_text: { in: 'tiny' }, point: { in: [1.5, -2] }, bits: { in: '101' },
  bools: { in: [true, false] }, stamps: { in: [new Date('2024-01-01T00:00:00Z'), new Date('2024-06-30T12:00:00.5Z')] },
  uuids: { in: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'] }, blobs: { in: [Buffer.from('hi')] }, bigints: { in: ['1', '-9007199254740993'] },
};

const columns = Object.keys(TYPES).flatMap((k) => [`c_${k}`, `n_${k}`]);

const MIGRATION = migration(
  [
    'create schema app;',
    "create type app.mood as enum ('sad', 'ok', 'happy');",
    'create domain app.short_text as text check (length(value) <= 20);',
    'create table app.every_type (',
    '  id int generated always as identity primary key,',
    Object.entries(TYPES).map(([k, t]) => `  c_${k} ${t} not null,\n  n_${k} ${t}`).join(',\n'),
    ');',
  ].join('\n'),
  'drop schema app cascade;',
);

const QUERIES = `/* @name InsertEveryType */
INSERT INTO every_type (${columns.join(', ')})
VALUES (${columns.map((c) => (c.startsWith('c_') ? `:${c}!` : `:${c}`)).join(', ')})
RETURNING id;

/* @name SelectEveryType */
SELECT * FROM every_type WHERE id = :id!;

/*
  @name SelectEveryTypeByIds
  @param ids -> (...)
*/
SELECT id FROM every_type WHERE id IN :ids! ORDER BY id;

/* @name SelectByUuidArray */
SELECT id FROM every_type WHERE c_uuid = ANY(:uuids!) ORDER BY id;

/*
  @name TouchEveryType
  @param ids -> (...)
*/
UPDATE every_type SET n_text = 'touched' WHERE id IN :ids!;
`;

/** Type aliases and the result interface's field types, read from the generated file. */
function readGenerated(text: string) {
  const aliases = new Map<string, string>();
  for (const m of text.matchAll(/^export type (\w+) = (.+);$/gm)) aliases.set(m[1], m[2]);
  const body = /export interface ISelectEveryTypeResult \{\n([\s\S]*?)\n\}/.exec(text)![1];
  const fields = new Map<string, string>();
  for (const m of body.matchAll(/^ {2}(\w+): (.+);$/gm)) fields.set(m[1], m[2]);
  const params = /export interface IInsertEveryTypeParams \{\n([\s\S]*?)\n\}/.exec(text)![1];
  return { aliases, fields, params };
}

function splitTop(type: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < type.length; i += 1) {
    const c = type[i];
    if (c === '(' || c === '{' || c === '[') depth += 1;
    else if (c === ')' || c === '}' || c === ']') depth -= 1;
    else if (depth === 0 && type.startsWith(sep, i)) {
      parts.push(type.slice(start, i).trim());
      start = i + sep.length;
    }
  }
  parts.push(type.slice(start).trim());
  return parts;
}

/** Does `value` belong to the TypeScript type `type` (as pgtyped writes them)? */
function conforms(value: unknown, type: string, aliases: Map<string, string>): boolean {
  type = type.trim();
  const union = splitTop(type, '|');
  if (union.length > 1) return union.some((member) => conforms(value, member, aliases));
  if (type.endsWith('[]')) {
    const element = type.slice(0, -2).replace(/^\((.*)\)$/, '$1');
    return Array.isArray(value) && value.every((v) => conforms(v, element, aliases));
  }
  if (/^'.*'$/.test(type)) return value === type.slice(1, -1);
  switch (type) {
    case 'null': return value === null;
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'Date': return value instanceof Date && !Number.isNaN(value.getTime());
    case 'Buffer': return Buffer.isBuffer(value);
    case '{ [key: string]: Json }':
      return typeof value === 'object' && value !== null && !Array.isArray(value) &&
        Object.values(value).every((v) => conforms(v, 'Json', aliases));
    default:
      if (aliases.has(type)) return conforms(value, aliases.get(type)!, aliases);
      throw new Error(`the test does not know the type ${type}`);
  }
}

test('every column type: generated type == value postgres.js returns, non-null and null; tsc accepts the file', async () => {
  const cwd = tempProject({ '20240101000000_every_type.sql': MIGRATION });
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(cwd, 'node_modules'));
  writeFileSync(path.join(cwd, 'pgtyped.config.json'), readFileSync(path.join(repoRoot, 'pgtyped.config.json')));
  mkdirSync(path.join(cwd, 'queries'));
  writeFileSync(path.join(cwd, 'queries', 'every_type.sql'), QUERIES);
  const url = await createEmptyDatabase('types-fidelity');
  const env = { DATABASE_URL: url };
  const types = await runRb(['types'], { cwd, env });
  assert.is(types.code, 0, types.stderr);
  assert.is(types.stderr, '', 'no warnings: every type is mapped');
  const up = await runRb(['upgrade'], { cwd, env });
  assert.is(up.code, 0, up.stderr);

  const generatedFile = path.join(cwd, 'queries', 'every_type.queries.ts');
  const { aliases, fields, params } = readGenerated(readFileSync(generatedFile, 'utf8'));
  // The choices rb documents, as written into the file.
  assert.is(fields.get('c_date'), 'string');
  assert.is(fields.get('c_timestamp'), 'Date');
  assert.is(fields.get('c_time'), 'string');
  assert.is(fields.get('c_bits'), 'string');
  assert.is(fields.get('c_int8'), 'string');
  assert.is(fields.get('n_short_text'), 'string | null');
  assert.match(params, /c_short_text: string;/, 'a domain parameter gets its base type, not unknown');
  assert.match(params, /c_interval: string;/);

  const q = await import(pathToFileURL(generatedFile).href);
  const sql = createClient(url);
  try {
    const insertParams: Record<string, unknown> = {};
    for (const k of Object.keys(TYPES)) {
      insertParams[`c_${k}`] = VALUES[k].in;
      insertParams[`n_${k}`] = null;
    }
    delete insertParams.n_text; // an optional parameter left out (undefined) is sent as NULL
    const [{ id }] = await q.insertEveryType.run(insertParams, db(sql));
    const [row] = await q.selectEveryType.run({ id }, db(sql));
    assert.equal(Object.keys(row).sort(), ['id', ...columns].sort());
    for (const column of columns) {
      const type = fields.get(column)!;
      assert.ok(conforms(row[column], type, aliases), `${column}: ${JSON.stringify(row[column])} (${typeof row[column]}) is not a ${type}`);
      if (column.startsWith('n_')) {
        assert.is(row[column], null, `${column} was inserted as null`);
        assert.ok(type.endsWith('| null'), `${column} is nullable, its type must admit null`);
      } else {
        assert.not.ok(type.includes('null'), `${column} is NOT NULL`);
        const expected = VALUES[column.slice(2)];
        // JSON puts Dates as ISO text and Buffers as byte lists, so it compares both exactly.
        assert.is(JSON.stringify(row[column]), JSON.stringify(expected.out ?? expected.in), `${column} round trip`);
      }
    }

    // The same query on a transaction and on a reserved connection; rowCount without RETURNING.
    const second = (await q.insertEveryType.run(insertParams, db(sql)))[0].id;
    const inTx = await sql.begin((tx) => q.selectEveryTypeByIds.run({ ids: [id, second] }, db(tx)));
    assert.equal(inTx.map((r: { id: number }) => r.id), [id, second]);
    const byUuid = await q.selectByUuidArray.run({ uuids: [VALUES.uuid.in as string] }, db(sql));
    assert.equal(byUuid.map((r: { id: number }) => r.id), [id, second], 'a string array is not forced to text[]');
    const reserved = await sql.reserve();
    try {
      assert.equal((await q.selectEveryType.run({ id: second }, db(reserved))).map((r: { id: number }) => r.id), [second]);
      const touched = await db(reserved).query('UPDATE every_type SET n_text = $1 WHERE id IN ($2, $3)', ['x', id, second]);
      assert.is(touched.rowCount, 2);
      assert.equal(touched.rows, []);
    } finally {
      reserved.release();
    }

    // An empty spread never reaches the server.
    const empty = await q.touchEveryType.run({ ids: [] }, db(sql)).then(() => null, (error: unknown) => error);
    assert.instance(empty, EmptySpreadError);
    assert.match((empty as Error).message, /a spread parameter got an empty array, which would send "IN \(\)"/);
    const [{ touched }] = await sql`select count(*)::int as touched from app.every_type where n_text = 'touched'`;
    assert.is(touched, 0);
  } finally {
    await sql.end({ timeout: 5 });
  }

  // tsc over the generated file and a use of it: values of the generated types, and an empty
  // spread that the types must reject (@ts-expect-error fails the build if they do not).
  writeFileSync(path.join(cwd, 'queries', 'use.ts'), `
import { touchEveryType, selectEveryType, type ISelectEveryTypeResult } from './every_type.queries.ts';
declare const conn: Parameters<typeof selectEveryType.run>[1];
export async function use(): Promise<string> {
  const [row]: ISelectEveryTypeResult[] = await selectEveryType.run({ id: 1 }, conn);
  const day: string = row.c_date;
  const at: Date = row.c_timestamp;
  const when: string | null = row.n_time;
  await touchEveryType.run({ ids: [1, 2] }, conn);
  // @ts-expect-error an empty spread is forbidden by the types (nonEmptyArrayParams)
  await touchEveryType.run({ ids: [] }, conn);
  return day + at.toISOString() + when;
}
`);
  writeFileSync(path.join(cwd, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, allowImportingTsExtensions: true, skipLibCheck: true, types: ['node'] },
    include: ['queries'],
  }));
  const tsc = await runProcess(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', cwd]);
  assert.is(tsc.stdout + tsc.stderr, '');
  assert.is(tsc.code, 0);
});

test.run();
