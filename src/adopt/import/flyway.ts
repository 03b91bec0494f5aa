import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Queryable } from '../../client.ts';
import { MigrationError, UsageError } from '../../errors.ts';
import { quoteIdent } from '../../local-db/ensure-database.ts';
import { importedTable } from '../../rb-tables.ts';
import { recordedMigration, type Importer, type SourceMigration, type SourceTracking, trackingTableSchema } from './source-history.ts';

/** Its tracking table and name, from the one list (src/rb-tables.ts). */
const TABLE = importedTable('flyway');

/** Flyway's SQL file names: V<version>__<description>.sql, U<version>__..., R__..., B<version>__... */
const FILE = /^([VUB])(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const REPEATABLE = /^R__(.+)\.sql$/;
const JAVA = /\.(java|class|kt)$/;

/** Flyway compares versions part by part, numerically, with missing trailing parts as 0 (1 = 1.0). */
function versionParts(version: string): bigint[] {
  const parts = version.split(/[._]/).map((p) => BigInt(p));
  while (parts.length > 1 && parts.at(-1) === 0n) parts.pop();
  return parts;
}

function compareParts(a: bigint[], b: bigint[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0n;
    const y = b[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** "1.1": the version as Flyway writes it in flyway_schema_history. */
function versionKey(version: string): string {
  return versionParts(version).join('.');
}

/** Flyway scans its locations recursively. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** Per-script settings (`V1__x.sql.conf`): executeInTransaction=false runs it outside a transaction. */
function runsOutsideTransaction(file: string): boolean {
  const conf = `${file}.conf`;
  return existsSync(conf) && /^\s*executeInTransaction\s*=\s*false\s*$/m.test(readFileSync(conf, 'utf8'));
}

function read(dir: string, show: (file: string) => string): { migrations: SourceMigration[]; warnings: string[] } {
  const warnings: string[] = [];
  const versioned = new Map<string, { parts: bigint[]; version: string; description: string; file: string; undo?: string }>();
  const undos: { key: string; file: string }[] = [];
  for (const file of listFiles(dir)) {
    const name = path.basename(file);
    if (JAVA.test(name)) {
      throw new UsageError(
        `${show(file)}: a Java migration; rb imports Flyway's SQL migrations only: write what it does as SQL in a V file (or, once imported, in a new rb migration), then run rb import again`,
      );
    }
    if (REPEATABLE.test(name)) {
      throw new UsageError(
        `${show(file)}: a Flyway repeatable migration; rb has none (they run again whenever they change): move the file out of ${show(dir)}, ` +
          'run rb import, then put its SQL (CREATE OR REPLACE ...) in a new migration (rb new-migration), which can run on the databases Flyway ran it on too',
      );
    }
    const match = FILE.exec(name);
    if (!match) {
      if (name.endsWith('.sql')) warnings.push(`${show(file)}: not a Flyway migration name (V<version>__<description>.sql); left out, as Flyway leaves it out`);
      continue;
    }
    const [, prefix, version, description] = match;
    if (prefix === 'B') {
      throw new UsageError(`${show(file)}: a Flyway baseline migration (B); rb imports the versioned (V) migrations it stands for: move it out of ${show(dir)} and run rb import again`);
    }
    const key = versionKey(version);
    if (prefix === 'U') {
      undos.push({ key, file });
      continue;
    }
    const other = versioned.get(key);
    if (other) throw new UsageError(`${show(file)}: Flyway version ${version} is also ${show(other.file)} (Flyway takes ${other.version} and ${version} as one version); give one of them another version`);
    versioned.set(key, { parts: versionParts(version), version: version.replace(/_/g, '.'), description, file });
  }
  for (const undo of undos) {
    const target = versioned.get(undo.key);
    if (!target) throw new UsageError(`${show(undo.file)}: an undo migration without its versioned one (V${undo.key}__...); add it or remove this file`);
    target.undo = undo.file;
  }
  const migrations: SourceMigration[] = [...versioned.entries()]
    .sort(([, a], [, b]) => compareParts(a.parts, b.parts))
    .map(([key, v]) => {
      const upText = readFileSync(v.file, 'utf8');
      if (/\$\{[A-Za-z0-9_.:]+\}/.test(upText)) warnings.push(`${show(v.file)}: uses a Flyway placeholder (\${...}), which Flyway replaced and rb will not; replace it in the converted file`);
      return {
        sourceVersion: v.version,
        parts: v.parts,
        name: v.description,
        trackingKey: key,
        files: v.undo ? [show(v.file), show(v.undo)] : [show(v.file)],
        up: { text: upText, file: show(v.file), line: 1 },
        down: v.undo
          ? { text: readFileSync(v.undo, 'utf8'), file: show(v.undo), line: 1 }
          : { irreversible: `Flyway had no undo migration (U${v.version}__...) for it` },
        noTransaction: runsOutsideTransaction(v.file) || undefined,
      };
    });
  return { migrations, warnings };
}

interface HistoryRow {
  rank: number;
  version: string | null;
  description: string;
  type: string;
  script: string;
  success: boolean;
}

/**
 * flyway_schema_history, in installed_rank order: SQL rows apply a version, UNDO_SQL and DELETE
 * (flyway repair) rows take it back, a BASELINE row stands for every version up to its own.
 */
async function readTracking(sql: Queryable, migrations: SourceMigration[]): Promise<SourceTracking | undefined> {
  const schema = await trackingTableSchema(sql, TABLE.name);
  if (schema === undefined) return undefined;
  const table = `${schema}.${TABLE.name}`;
  const rows = await sql.unsafe<HistoryRow[]>(
    `select installed_rank as rank, version, description, type, script, success from ${quoteIdent(schema)}.${quoteIdent(TABLE.name)} order by installed_rank`,
  );
  const applied = new Set<SourceMigration>();
  let baseline: bigint[] | undefined;
  for (const row of rows) {
    if (!row.success) {
      throw new MigrationError(
        `Flyway recorded ${row.script} (version ${row.version ?? 'repeatable'}) as failed in ${table}; Flyway refuses to migrate on from there too: ` +
          'repair what it left by hand, remove the failed entry (flyway repair), then run rb import again',
      );
    }
    if (row.version === null || row.type === 'SCHEMA') continue; // repeatable migrations; the schema Flyway created
    if (row.type === 'BASELINE' || row.type === 'SQL_BASELINE') {
      baseline = versionParts(row.version);
      continue;
    }
    if (row.type === 'JDBC' || row.type === 'SPRING_JDBC') {
      throw new UsageError(`${table} records version ${row.version} (${row.script}) as a Java migration; rb cannot convert it: write what it did as SQL in a V${row.version}__ file, then run rb import again`);
    }
    if (row.type === 'UNDO_SQL' || row.type === 'UNDO_JDBC' || row.type === 'DELETE') {
      applied.delete(recordedMigration(migrations, versionKey(row.version), table, 'Flyway'));
      continue;
    }
    applied.add(recordedMigration(migrations, versionKey(row.version), table, 'Flyway'));
  }
  // Versions up to the baseline were never run here: Flyway takes them as applied.
  if (baseline) for (const m of migrations) if (compareParts(m.parts, baseline) <= 0) applied.add(m);
  const list = migrations.filter((m) => applied.has(m));
  return {
    table,
    applied: list,
    summary: `${list.length} version(s) applied${baseline ? `, baseline ${baseline.join('.')}` : ''}, none failed`,
  };
}

export const flyway: Importer = { name: TABLE.importer, tool: TABLE.tool, read, readTracking };
