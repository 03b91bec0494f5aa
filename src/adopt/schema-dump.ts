import type { Queryable } from '../client.ts';
import { InterruptedError, RbError } from '../errors.ts';
import { quoteIdent } from '../local-db/ensure-database.ts';
import { stopSignalOf } from '../interrupt.ts';
import { joinDumpBlocks, splitDumpBlocks, stripRestrictLines, withoutObject } from '../migrations/schema-file.ts';
import { TOOLING_TABLES, type TableName } from '../rb-tables.ts';
import { checkDumpTool } from '../restore/dump-production.ts';
import { firstError, libpqTarget, runPgTool, toolVersion } from '../restore/pg-tools.ts';
import { describeUrl } from '../target/database-url.ts';

/** The schema of a database's configured schemas, as a baseline migration holds it. */
export interface SchemaDump {
  /** pg_dump's output, cleaned (see cleanBaselineDump): the up section of a baseline. */
  sql: string;
  /** "15.18" */
  pgDumpVersion: string;
  /** How many objects of each kind: "TABLE" -> 3, "VIEW" -> 1. */
  objects: Map<string, number>;
}

/** A name as a pg_dump pattern that matches exactly it: double quotes keep case and turn wildcards off. */
const exact = quoteIdent;

/** Sequences owned by these tables (serial and identity columns): pg_dump's --exclude-table leaves them in. */
async function ownedSequences(sql: Queryable, tables: TableName[]): Promise<TableName[]> {
  if (tables.length === 0) return [];
  return sql<TableName[]>`
    select sn.nspname as schema, s.relname as name
      from unnest(${tables.map((t) => t.schema)}::text[], ${tables.map((t) => t.name)}::text[]) as x(schema, name)
      join pg_namespace tn on tn.nspname = x.schema
      join pg_class t on t.relnamespace = tn.oid and t.relname = x.name
      join pg_depend d on d.refclassid = 'pg_class'::regclass and d.refobjid = t.oid and d.classid = 'pg_class'::regclass and d.deptype in ('a', 'i')
      join pg_class s on s.oid = d.objid and s.relkind = 'S'
      join pg_namespace sn on sn.oid = s.relnamespace`;
}

/**
 * The dump made into a migration that runs on a new database inside dbmate's transaction:
 * - pg_dump's session settings become `SET LOCAL` (dbmate runs every migration of a run on one
 *   connection: `SET search_path = ''` would otherwise reach the migrations after it);
 * - `CREATE SCHEMA public` and public's standard comment go (every new database has them;
 *   pg_dump writes them when public is one of the schemas asked for);
 * - `\restrict` lines, pg_dump's version comments (they differ between servers) and the
 *   opening and closing comments go.
 */
export function cleanBaselineDump(dump: string): string {
  const blocks = splitDumpBlocks(stripRestrictLines(dump)).map((block) => {
    const { header, lines } = block;
    const standard = header?.kind === 'SCHEMA' && header.name === 'public' ||
      (header?.kind === 'COMMENT' && header.name === 'SCHEMA public' && lines.includes("COMMENT ON SCHEMA public IS 'standard public schema';"));
    return standard ? withoutObject(block) : block;
  });
  return joinDumpBlocks(blocks)
    .split('\n')
    .filter((line) => !/^-- (Dumped from database version|Dumped by pg_dump version|PostgreSQL database dump( complete)?$)/.test(line))
    .map((line) =>
      line
        .replace(/^SET (?!LOCAL )([a-z_]+) = /, 'SET LOCAL $1 = ')
        .replace(/^SELECT pg_catalog\.set_config\('search_path', '', false\);$/, "SELECT pg_catalog.set_config('search_path', '', true);"),
    )
    .join('\n')
    .replace(/^(--\n)+/, '')
    .replace(/(\n--)+\s*$/, '')
    .trim();
}

/**
 * pg_dump --schema-only of the configured schemas, with every extension of the database, as
 * dbmate dumps db/schema.sql (no owners, no privileges), without the tracking tables of rb,
 * dbmate and other tools (and the sequences they own). The password reaches pg_dump through
 * PGPASSWORD, never its command line.
 */
export async function dumpSchemas(sql: Queryable, url: string, schemas: string[], exclude: TableName[], signal?: AbortSignal): Promise<SchemaDump> {
  const [{ version }] = await sql<{ version: string }[]>`select current_setting('server_version') as version`;
  await checkDumpTool(version, `the server of ${describeUrl(url)}`, 'nothing was written or recorded');
  const tables = [...TOOLING_TABLES, ...exclude];
  const excluded = [...tables, ...(await ownedSequences(sql, tables))];
  const libpq = libpqTarget(url);
  const args = [
    '--schema-only', '--no-owner', '--no-privileges', '--encoding=UTF8', '--extension=*',
    ...schemas.map((schema) => `--schema=${exact(schema)}`),
    ...excluded.map((t) => `--exclude-table=${exact(t.schema)}.${exact(t.name)}`),
    '--dbname', libpq.url,
  ];
  const result = await runPgTool('pg_dump', args, { env: libpq.env });
  if (result.signal && signal?.aborted) {
    throw new InterruptedError(`stopped by ${stopSignalOf(signal)} while pg_dump read the schema; nothing was written or recorded`, stopSignalOf(signal));
  }
  if (!result.ok) throw new RbError(`pg_dump of ${describeUrl(url)} failed: ${firstError(result.stderr)}; nothing was written or recorded`);
  const objects = new Map<string, number>();
  for (const { header } of splitDumpBlocks(result.stdout)) {
    if (header && !(header.kind === 'SCHEMA' && header.name === 'public')) objects.set(header.kind, (objects.get(header.kind) ?? 0) + 1);
  }
  return { sql: cleanBaselineDump(result.stdout), pgDumpVersion: (await toolVersion('pg_dump')).version, objects };
}
