// rb baseline and rb import without a database: version mapping, conversion, dump cleaning.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { splitSqlMigration } from '../../src/adopt/import/node-pg-migrate.ts';
import { assignVersions, convertMigration, convertedFileName, type SourceMigration } from '../../src/adopt/import/source-history.ts';
import { cleanBaselineDump } from '../../src/adopt/schema-dump.ts';
import { UsageError } from '../../src/errors.ts';
import { compareVersions } from '../../src/migrations/migration-directory.ts';
import { parseMigrationText } from '../../src/migrations/migration-file.ts';
import { parseRbDirectives } from '../../src/migrations/rb-directives.ts';
import { stripTrackingTables } from '../../src/migrations/schema-file.ts';

function source(version: string, up: string, down?: string, extra: Partial<SourceMigration> = {}): SourceMigration {
  return {
    sourceVersion: version,
    parts: version.split('.').map((p) => BigInt(p)),
    name: `m ${version}`,
    trackingKey: version,
    files: [`src/V${version}.sql`],
    up: { text: up, file: `src/V${version}.sql`, line: 1 },
    down: down === undefined ? { irreversible: 'no down' } : { text: down, file: `src/U${version}.sql`, line: 1 },
    ...extra,
  };
}

const versionsOf = (list: SourceMigration[]) => [...assignVersions(list, 'Tool').values()];

test('one-part versions are zero-padded to 14 digits; timestamps stay; order holds as numbers and as file names', () => {
  const golang = versionsOf([source('1', ''), source('2', ''), source('10', ''), source('20240826120919', '')]);
  assert.equal(golang, ['00000000000001', '00000000000002', '00000000000010', '20240826120919']);
  assert.equal([...golang].sort(), golang, 'string order (dbmate sorts files by name)');
  assert.equal([...golang].sort(compareVersions), golang);
  assert.ok(compareVersions(golang.at(-1)!, '20250101000000') < 0, 'rb new-migration timestamps sort after them');
  // node-pg-migrate's millisecond prefixes (13 digits)
  assert.equal(versionsOf([source('1700000000000', ''), source('1700000000001', '')]), ['01700000000000', '01700000000001']);
});

test('Flyway dotted versions: each part padded to its widest, missing parts are 0, order kept', () => {
  const list = [source('1', ''), source('1.1', ''), source('1.10', ''), source('2', ''), source('10.2', '')];
  const versions = versionsOf(list);
  assert.equal(versions, ['00000000000100', '00000000000101', '00000000000110', '00000000000200', '00000000001002']);
  assert.equal([...versions].sort(), versions);
  try {
    versionsOf([source('1', ''), source('1.0', '')]);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, UsageError);
    assert.is((error as Error).message, 'src/V1.0.sql: Tool version 1.0 is the same version as 1 of src/V1.sql; Tool refuses that too: give one of them another version');
  }
  assert.throws(() => versionsOf([source('2024.1.15.123456789', '')]), /needs 16 digits as an rb version, more than the 14/);
});

test('conversion keeps the SQL byte for byte inside the sections, names the source and marks a missing down irreversible', () => {
  const up = 'create table a (id int);\n-- a comment\ninsert into a values (1);\n';
  const text = convertMigration(source('1', up, 'drop table a;\n'), 'Tool', []);
  const parsed = parseMigrationText(text, 'x.sql');
  assert.is(parsed.up.sql, up);
  assert.is(parsed.down.sql, 'drop table a;\n');
  assert.equal(parsed.directives.imported, { line: 1, source: 'from src/V1.sql (Tool version 1)' });
  const irreversible = parseMigrationText(convertMigration(source('2', 'select 1;'), 'Tool', []), 'x.sql');
  assert.is(irreversible.up.sql, 'select 1;\n');
  assert.is(irreversible.directives.irreversible?.reason, 'no down');
  assert.is(irreversible.directives.irreversible?.section, 'down');
  const empty = parseMigrationText(convertMigration(source('3', 'select 1;\n', '-- nothing to undo\n'), 'Tool', []), 'x.sql');
  assert.is(empty.directives.irreversible?.reason, 'the Tool down migration (src/U3.sql) does nothing');
  assert.is(convertedFileName('00000000000001', { ...source('1', ''), name: 'Add users table' }), '00000000000001_add_users_table.sql');
});

test('transaction:false where the tool ran a section outside a transaction; warnings where rb cannot', () => {
  const warnings: string[] = [];
  const concurrent = parseMigrationText(convertMigration(source('1', 'create index concurrently i on t (a);\n', 'drop index concurrently i;\n'), 'Tool', warnings), 'x.sql');
  assert.equal([concurrent.up.options, concurrent.down.options], [{ transaction: 'false' }, { transaction: 'false' }]);
  const own = parseMigrationText(convertMigration(source('2', 'BEGIN;\ncreate table t (a int);\nCOMMIT;\n', 'drop table t;\n'), 'Tool', warnings), 'x.sql');
  assert.equal([own.up.options, own.down.options], [{ transaction: 'false' }, {}]);
  const forced = parseMigrationText(convertMigration(source('3', 'select 1;\n', undefined, { noTransaction: true }), 'Tool', warnings), 'x.sql');
  assert.equal(forced.up.options, { transaction: 'false' });
  assert.equal(warnings, []);
  convertMigration(source('4', 'create table u (a int);\ncreate index concurrently j on u (a);\n'), 'Tool', warnings);
  assert.equal(warnings, [
    'src/V4.sql: CREATE INDEX CONCURRENTLY cannot run inside a transaction, and the converted file runs in one; move that statement into a transaction:false file of its own before applying it anywhere',
  ]);
});

test('a source line rb would read as its own is refused with file and line', () => {
  assert.throws(
    () => convertMigration(source('1', 'select 1;\n-- migrate:down\nselect 2;\n'), 'Tool', []),
    (error: Error) => error.message === 'src/V1.sql:2: "-- migrate:down" is a line rb reads as its own (a dbmate section marker or an rb setting); change that comment in the source file (e.g. "-- note: ..."), then run rb import again',
  );
});

test("node-pg-migrate's SQL format is cut where node-pg-migrate cuts it", () => {
  const text = '\n-- Up Migration\ncreate table t (a int);\n\n-- Down Migration\ndrop table t;\n';
  const { up, down } = splitSqlMigration(text, 'm/1_t.sql');
  // Its pattern (^\s*--, multi-line) starts a section at the blank lines before the comment.
  assert.equal(up, { text: '\n-- Up Migration\ncreate table t (a int);\n', file: 'm/1_t.sql', line: 1 });
  assert.equal(down, { text: '\n-- Down Migration\ndrop table t;\n', file: 'm/1_t.sql', line: 4 });
  assert.equal(splitSqlMigration('select 1;', 'm/2.sql'), { up: { text: 'select 1;', file: 'm/2.sql', line: 1 } });
});

const DUMP = `--
-- PostgreSQL database dump
--

-- Dumped from database version 15.18
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);

--
-- Name: public; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA public;


--
-- Name: SCHEMA public; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA public IS 'standard public schema';


SET default_table_access_method = heap;

--
-- Name: pgmigrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.pgmigrations (
    id integer NOT NULL
);


--
-- Name: pgmigrations_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.pgmigrations_id_seq
    AS integer;


--
-- Name: pgmigrations_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.pgmigrations_id_seq OWNED BY public.pgmigrations.id;


--
-- Name: posts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.posts (
    id bigint NOT NULL
);


--
-- Name: SequelizeMeta; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app."SequelizeMeta" (
    name character varying(255) NOT NULL
);


--
-- Name: SequelizeMeta_id_seq; Type: SEQUENCE; Schema: app; Owner: -
--

ALTER TABLE app."SequelizeMeta" ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app."SequelizeMeta_id_seq"
);


--
-- Name: pgmigrations id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pgmigrations ALTER COLUMN id SET DEFAULT nextval('public.pgmigrations_id_seq'::regclass);


--
-- Name: pgmigrations pgmigrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pgmigrations
    ADD CONSTRAINT pgmigrations_pkey PRIMARY KEY (id);


--
-- Name: pgm_name_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX pgm_name_idx ON public.pgmigrations USING btree (id);


--
-- Name: TABLE pgmigrations; Type: COMMENT; Schema: public; Owner: -
--

COMMENT ON TABLE public.pgmigrations IS 'node-pg-migrate';


--
-- PostgreSQL database dump complete
--

`;

test('db/schema.sql leaves out other tools\' tracking tables with their sequences (serial and identity), indexes, keys and comments', () => {
  const stripped = stripTrackingTables(DUMP);
  assert.not.match(stripped, /pgmigrations|pgm_name_idx|SequelizeMeta/);
  assert.match(stripped, 'CREATE TABLE public.posts (');
  assert.match(stripped, '-- PostgreSQL database dump complete');
});

test('a baseline runs inside dbmate\'s transaction: SET LOCAL, no CREATE SCHEMA public, no version comments', () => {
  const cleaned = cleanBaselineDump(DUMP);
  assert.ok(cleaned.startsWith("SET LOCAL statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', true);\n"), cleaned.slice(0, 200));
  assert.match(cleaned, 'SET LOCAL default_table_access_method = heap;');
  assert.not.match(cleaned, /CREATE SCHEMA|COMMENT ON SCHEMA|Dumped (from|by)|PostgreSQL database dump/);
  assert.ok(cleaned.endsWith("COMMENT ON TABLE public.pgmigrations IS 'node-pg-migrate';"));
});

test('-- rb:baseline and -- rb:imported belong before the up section', () => {
  assert.equal(parseRbDirectives('-- rb:baseline\n-- migrate:up\n-- migrate:down\n').baseline, { line: 1 });
  assert.equal(parseRbDirectives('-- migrate:up\n-- rb:baseline\n-- migrate:down\n').problems, [
    { line: 2, message: "'-- rb:baseline' stands alone on a line before '-- migrate:up', as rb baseline writes it" },
  ]);
  assert.equal(parseRbDirectives('-- migrate:up\n-- migrate:down\n-- rb:imported from x\n').problems, [
    { line: 3, message: "'-- rb:imported' belongs before '-- migrate:up', as rb import writes it" },
  ]);
});

test.run();
