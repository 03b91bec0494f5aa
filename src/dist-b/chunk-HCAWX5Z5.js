import {
  RB_MIGRATIONS_TABLE,
  qualified
} from "./chunk-IUNTMCXC.js";
import {
  stripBom
} from "./chunk-7U3JJN2P.js";

// dist/migrations/checksums.js
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
function migrationChecksum(text) {
  return createHash("sha256").update(stripBom(text).replace(/\r\n/g, "\n")).digest("hex");
}
function fileChecksum(filePath) {
  return migrationChecksum(readFileSync(filePath, "utf8"));
}
function reviewChecksums(files, applied, records) {
  const review = { edited: [], unrecorded: [] };
  for (const file of files) {
    if (!applied.has(file.version))
      continue;
    const record = records.get(file.version);
    if (!record || record.state !== "applied")
      review.unrecorded.push(file);
    else if (record.checksum !== fileChecksum(file.path))
      review.edited.push(file);
  }
  return review;
}

// dist/migrations/rb-migrations-table.js
import { existsSync, readFileSync as readFileSync2, writeFileSync } from "node:fs";
var TABLE = qualified(RB_MIGRATIONS_TABLE);
var RUNNING_MARK = "rb lost track of it while it ran (rb was killed or the connection was lost); it may have run part-way";
async function ensureRbMigrationsTable(sql) {
  await sql.unsafe(`
    create table if not exists ${TABLE} (
      version text primary key,
      file_name text not null,
      checksum text not null,
      state text not null default 'applied' check (state in ('applied', 'failed')),
      recorded_at timestamptz not null default now(),
      error text,
      invalid_indexes text[] not null default '{}'
    )`);
}
async function readRbRecords(sql) {
  const [found] = await sql`select to_regclass(${TABLE})::text as reg`;
  const records = /* @__PURE__ */ new Map();
  if (!found.reg)
    return records;
  const rows = await sql.unsafe(`select version, file_name, checksum, state, recorded_at, error, invalid_indexes from ${TABLE}`);
  for (const row of rows) {
    records.set(row.version, {
      version: row.version,
      fileName: row.file_name,
      checksum: row.checksum,
      state: row.state,
      recordedAt: row.recorded_at,
      error: row.error,
      invalidIndexes: row.invalid_indexes
    });
  }
  return records;
}
async function recordApplied(sql, version, fileName, checksum) {
  await sql.unsafe(`insert into ${TABLE} (version, file_name, checksum, state) values ($1, $2, $3, 'applied')
     on conflict (version) do update set file_name = excluded.file_name, checksum = excluded.checksum, state = 'applied',
       recorded_at = now(), error = null, invalid_indexes = '{}'`, [version, fileName, checksum]);
}
async function recordFailed(sql, failure) {
  await sql.unsafe(`insert into ${TABLE} (version, file_name, checksum, state, error, invalid_indexes) values ($1, $2, $3, 'failed', $4, $5)
     on conflict (version) do update set file_name = excluded.file_name, checksum = excluded.checksum, state = 'failed',
       recorded_at = now(), error = excluded.error, invalid_indexes = excluded.invalid_indexes`, [failure.version, failure.fileName, failure.checksum, failure.error, sql.array(failure.invalidIndexes)]);
}
async function deleteRecords(sql, versions) {
  if (versions.length === 0)
    return;
  const [found] = await sql`select to_regclass(${TABLE})::text as reg`;
  if (!found.reg)
    return;
  await sql.unsafe(`delete from ${TABLE} where version = any($1)`, [sql.array(versions)]);
}
async function writeSchemaFileWithoutBookkeeping(config, url) {
  const { stripTrackingTables, writeSchemaFile } = await import("./schema-file-TFNBSMBO.js");
  const file = await writeSchemaFile(config, url);
  if (existsSync(file))
    writeFileSync(file, stripTrackingTables(readFileSync2(file, "utf8")));
  return file;
}

export {
  fileChecksum,
  reviewChecksums,
  RUNNING_MARK,
  ensureRbMigrationsTable,
  readRbRecords,
  recordApplied,
  recordFailed,
  deleteRecords,
  writeSchemaFileWithoutBookkeeping
};
