import {
  checkDumpTool
} from "./chunk-G34TJMUB.js";
import {
  firstError,
  libpqTarget,
  runPgTool,
  toolVersion
} from "./chunk-74N242QX.js";
import {
  describeMigrationEvent
} from "./chunk-H5OCRQ32.js";
import "./chunk-BD5HN5VJ.js";
import {
  lockOptions,
  unlessStopped
} from "./chunk-HFBZANS3.js";
import {
  guardProduction
} from "./chunk-WCGRPLJ2.js";
import "./chunk-F2VM4MHE.js";
import "./chunk-CXK23MUU.js";
import {
  withMigrationLock
} from "./chunk-75RHIA2Z.js";
import {
  readDatabaseTables
} from "./chunk-AJG3EPZD.js";
import {
  ensureRbMigrationsTable,
  fileChecksum,
  recordApplied,
  writeSchemaFileWithoutBookkeeping
} from "./chunk-HCAWX5Z5.js";
import {
  ensureDbmateTable,
  insertAppliedVersions,
  readAppliedVersions
} from "./chunk-MDXE5UZ2.js";
import "./chunk-H26FYK5V.js";
import "./chunk-LHYBNGSH.js";
import {
  joinDumpBlocks,
  splitDumpBlocks,
  stripRestrictLines,
  withoutObject
} from "./chunk-YS7UXT2K.js";
import "./chunk-J3NTZTBQ.js";
import "./chunk-2M3JEVIH.js";
import {
  configAndTarget,
  targetLabel
} from "./chunk-X6FAZUW5.js";
import {
  identifyTarget,
  resolveTarget
} from "./chunk-LWDHCSGX.js";
import {
  interruptible,
  stopSignalOf
} from "./chunk-NMHWLE4Q.js";
import {
  DBMATE_TABLE,
  GOLANG_MIGRATE_MOVED_TABLE,
  TOOLING_TABLES,
  qualified
} from "./chunk-IUNTMCXC.js";
import {
  quoteIdent
} from "./chunk-HJV3SOPZ.js";
import {
  migrationSlug,
  utcVersion
} from "./chunk-OPGVUU22.js";
import {
  listMigrations,
  readMigrations,
  versionNumber
} from "./chunk-LC5NCFF3.js";
import "./chunk-7U3JJN2P.js";
import {
  isTransactionControl,
  refusedInTransaction,
  splitStatements
} from "./chunk-GX35TSEW.js";
import "./chunk-APFTIODY.js";
import {
  withClient
} from "./chunk-EKB3CR5R.js";
import {
  describeUrl,
  parseDatabaseUrl
} from "./chunk-ZES4J75L.js";
import {
  loadConfig,
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import {
  InterruptedError,
  MigrationError,
  RbError,
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/adopt/baseline.js
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

// dist/migrations/record-applied.js
async function recordWithoutRunning(url, lock, decide, after) {
  return withMigrationLock(url, lock, async () => {
    const result = await withClient(url, async (sql) => {
      let decided;
      await sql.begin(async (tx) => {
        const decision = await decide(tx);
        decided = decision.result;
        if (decision.entries.length === 0)
          return;
        await ensureDbmateTable(tx);
        await ensureRbMigrationsTable(tx);
        await insertAppliedVersions(tx, decision.entries.map((e) => e.version));
        for (const entry of decision.entries)
          await recordApplied(tx, entry.version, entry.fileName, fileChecksum(entry.path));
      });
      return decided;
    });
    await after?.(result);
    return result;
  });
}

// dist/adopt/schema-dump.js
function exact(name) {
  return `"${name.replace(/"/g, '""')}"`;
}
async function ownedSequences(sql, tables) {
  if (tables.length === 0)
    return [];
  return sql`
    select sn.nspname as schema, s.relname as name
      from unnest(${tables.map((t) => t.schema)}::text[], ${tables.map((t) => t.name)}::text[]) as x(schema, name)
      join pg_namespace tn on tn.nspname = x.schema
      join pg_class t on t.relnamespace = tn.oid and t.relname = x.name
      join pg_depend d on d.refclassid = 'pg_class'::regclass and d.refobjid = t.oid and d.classid = 'pg_class'::regclass and d.deptype in ('a', 'i')
      join pg_class s on s.oid = d.objid and s.relkind = 'S'
      join pg_namespace sn on sn.oid = s.relnamespace`;
}
function cleanBaselineDump(dump) {
  const blocks = splitDumpBlocks(stripRestrictLines(dump)).map((block) => {
    const { header, lines } = block;
    const standard = header?.kind === "SCHEMA" && header.name === "public" || header?.kind === "COMMENT" && header.name === "SCHEMA public" && lines.includes("COMMENT ON SCHEMA public IS 'standard public schema';");
    return standard ? withoutObject(block) : block;
  });
  return joinDumpBlocks(blocks).split("\n").filter((line) => !/^-- (Dumped from database version|Dumped by pg_dump version|PostgreSQL database dump( complete)?$)/.test(line)).map((line) => line.replace(/^SET (?!LOCAL )([a-z_]+) = /, "SET LOCAL $1 = ").replace(/^SELECT pg_catalog\.set_config\('search_path', '', false\);$/, "SELECT pg_catalog.set_config('search_path', '', true);")).join("\n").replace(/^(--\n)+/, "").replace(/(\n--)+\s*$/, "").trim();
}
async function dumpSchemas(sql, url, schemas, exclude, signal) {
  const [{ version }] = await sql`select current_setting('server_version') as version`;
  await checkDumpTool(version, `the server of ${describeUrl(url)}`, "nothing was written or recorded");
  const tables = [...TOOLING_TABLES, ...exclude];
  const excluded = [...tables, ...await ownedSequences(sql, tables)];
  const libpq = libpqTarget(url);
  const args = [
    "--schema-only",
    "--no-owner",
    "--no-privileges",
    "--encoding=UTF8",
    "--extension=*",
    ...schemas.map((schema) => `--schema=${exact(schema)}`),
    ...excluded.map((t) => `--exclude-table=${exact(t.schema)}.${exact(t.name)}`),
    "--dbname",
    libpq.url
  ];
  const result = await runPgTool("pg_dump", args, { env: libpq.env });
  if (result.signal && signal?.aborted) {
    throw new InterruptedError(`stopped by ${stopSignalOf(signal)} while pg_dump read the schema; nothing was written or recorded`, stopSignalOf(signal));
  }
  if (!result.ok)
    throw new RbError(`pg_dump of ${describeUrl(url)} failed: ${firstError(result.stderr)}; nothing was written or recorded`);
  const objects = /* @__PURE__ */ new Map();
  for (const { header } of splitDumpBlocks(result.stdout)) {
    if (header && !(header.kind === "SCHEMA" && header.name === "public"))
      objects.set(header.kind, (objects.get(header.kind) ?? 0) + 1);
  }
  return { sql: cleanBaselineDump(result.stdout), pgDumpVersion: (await toolVersion("pg_dump")).version, objects };
}

// dist/adopt/baseline.js
var BASELINE_IRREVERSIBLE = "-- rb:irreversible a baseline is the schema rb adopted the database with; rolling it back would drop everything, so restore a dump instead";
function describeTarget(target) {
  const { database } = parseDatabaseUrl(target.url);
  return target.isProduction ? `production's database "${database}"` : `the database "${database}"`;
}
function alreadyAdopted(target, applied) {
  return new UsageError(`${describeTarget(target)} already records ${applied.length} migration(s) in public.schema_migrations (newest ${[...applied].sort().at(-1)}); rb baseline adopts a database no migration is recorded on: run rb status to see where it stands, and rb upgrade to apply what is pending`);
}
function versionBefore(oldest) {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(oldest);
  if (!match)
    return void 0;
  const time = Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +match[6]);
  return Number.isNaN(time) ? void 0 : utcVersion(new Date(time - 1e3));
}
function baselineText(config, target, dump, leftOut, now) {
  const header = [
    "-- rb:baseline",
    `-- The schema of ${config.schemas.join(", ")} in ${describeTarget(target)}, as pg_dump ${dump.pgDumpVersion} read it on ${now.toISOString()} (rb baseline).`,
    "-- It was recorded as applied there without running; on a new database rb upgrade builds the schema from it.",
    ...leftOut.length ? [`-- Left out: ${leftOut.map((t) => `${t.table} (${t.tool}'s tracking table)`).join(", ")}.`] : []
  ];
  return `${header.join("\n")}

-- migrate:up
${dump.sql}

-- migrate:down
${BASELINE_IRREVERSIBLE}
`;
}
function assertSameSchema(config, target, file, dump) {
  const expected = file.up.sql.trimEnd().split("\n");
  const actual = dump.sql.split("\n");
  const index = expected.findIndex((line, i) => line !== actual[i]);
  const at = index === -1 ? actual.length > expected.length ? expected.length : -1 : index;
  if (at === -1)
    return;
  const show = (line) => line === void 0 ? "nothing (it ends there)" : `"${line.slice(0, 80)}"`;
  throw new UsageError(`${relativeToProject(config, file.path)}:${file.up.line + at + 1}: the schema of ${describeTarget(target)} differs from this baseline (the file has ${show(expected[at])}, the database ${show(actual[at])}), so recording it as applied would be false; make this database's schema match the baseline (compare its pg_dump --schema-only with the file), then run rb baseline again`);
}
async function baseline(config, target, options) {
  const files = listMigrations(config.migrationsDir);
  const { dump, leftOut } = await withClient(target.url, async (sql) => {
    const applied = await readAppliedVersions(sql);
    if (applied.length)
      throw alreadyAdopted(target, applied);
    const tables = await readDatabaseTables(sql, config.schemas);
    if (tables.appTables.length === 0) {
      const elsewhere = tables.elsewhere.map((e) => e.schema);
      throw new UsageError(`schema${config.schemas.length > 1 ? "s" : ""} ${config.schemas.join(", ")} of ${describeTarget(target)} hold${config.schemas.length > 1 ? "" : "s"} no tables: nothing to baseline; ` + (elsewhere.length ? `its tables are in ${elsewhere.join(", ")}: name the schemas rb manages in package.json ("rb": {"schemas": ${JSON.stringify(elsewhere)}})` : `an empty database needs no baseline: rb upgrade builds it from ${relativeToProject(config, config.migrationsDir)}`));
    }
    const leftOut2 = tables.otherTools.map((t) => ({ table: `${t.schema}.${t.name}`, tool: t.tool.tool }));
    return { dump: await dumpSchemas(sql, target.url, config.schemas, tables.otherTools, options.signal), leftOut: leftOut2 };
  });
  const baselines = readMigrations(config.migrationsDir, files, config.projectDir).filter((f) => f.directives.baseline);
  if (baselines.length > 1) {
    throw new UsageError(`${relativeToProject(config, config.migrationsDir)} holds ${baselines.length} baselines (${baselines.map((f) => f.fileName).join(", ")}); a history has one: remove the others`);
  }
  let entry;
  let text;
  if (baselines.length) {
    assertSameSchema(config, target, baselines[0], dump);
    entry = baselines[0];
  } else {
    const now = options.now ?? /* @__PURE__ */ new Date();
    const version = files.length ? versionBefore(files[0].version) : utcVersion(now);
    if (!version) {
      throw new UsageError(`${relativeToProject(config, files[0].path)} comes first, and a baseline must come before it, but its version is not a UTC timestamp rb can count back from; move the files out of ${relativeToProject(config, config.migrationsDir)}, run rb baseline, then move them back`);
    }
    const fileName = `${version}_baseline.sql`;
    entry = { version, name: "baseline", fileName, path: path.join(config.migrationsDir, fileName) };
    text = baselineText(config, target, dump, leftOut, now);
  }
  const result = {
    file: entry.path,
    written: text !== void 0,
    dryRun: Boolean(options.dryRun),
    objects: dump.objects,
    leftOut,
    pending: files.filter((f) => f.version !== entry.version)
  };
  if (options.dryRun) {
    await identifyTarget(target);
    return result;
  }
  const shown = relativeToProject(config, entry.path);
  await unlessStopped(guardProduction(target, {
    action: "adopt this database with a baseline",
    plan: [
      ...text ? [`write ${shown} from its schema (${config.schemas.join(", ")})`] : [`(its schema is the one in ${shown}: checked)`],
      `record ${entry.fileName} as applied in public.schema_migrations without running it`
    ],
    yes: options.yes,
    confirm: options.confirm
  }), options.signal, "nothing was written or recorded");
  if (text !== void 0) {
    mkdirSync(config.migrationsDir, { recursive: true });
    writeFileSync(entry.path, text, { flag: "wx" });
  }
  try {
    await recordWithoutRunning(target.url, lockOptions(options), async (tx) => {
      const applied = await readAppliedVersions(tx);
      if (applied.length)
        throw alreadyAdopted(target, applied);
      return { entries: [entry], result: void 0 };
    }, async () => {
      if (!target.isProduction)
        result.schemaFile = await writeSchemaFileWithoutBookkeeping(config, target.url);
    });
  } catch (error) {
    if (error instanceof RbError && text !== void 0 && !result.schemaFile)
      error.message += `; ${shown} was written: run rb baseline again to record it`;
    throw error;
  }
  return result;
}

// dist/adopt/import-history.js
import { existsSync as existsSync3, mkdirSync as mkdirSync2, readFileSync as readFileSync5, statSync, writeFileSync as writeFileSync2 } from "node:fs";
import path6 from "node:path";

// dist/adopt/import/flyway.js
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path2 from "node:path";

// dist/adopt/import/source-history.js
function recordedMigration(migrations, key, table, tool) {
  const found = migrations.find((m) => m.trackingKey === key);
  if (found)
    return found;
  throw new UsageError(`${table} records ${key} as applied, but the ${tool} migrations directory has no file for it; import from the directory this database was migrated from (the same commit), or restore the missing file, then run rb import again`);
}
async function trackingTableSchema(sql, name) {
  const tables = await sql`
    select n.nspname as schema from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind = 'r' and c.relname = ${name} order by 1`;
  if (tables.length > 1) {
    throw new UsageError(`${name} exists in several schemas (${tables.map((t) => t.schema).join(", ")}); rb cannot tell which history to import: import each schema's history into a project of its own`);
  }
  return tables[0]?.schema;
}
var VERSION_WIDTH = 14;
function assignVersions(migrations, tool) {
  const positions = Math.max(0, ...migrations.map((m) => m.parts.length));
  const widths = Array.from({ length: positions }, (_, i) => Math.max(1, ...migrations.map((m) => (m.parts[i] ?? 0n).toString().length)));
  const result = /* @__PURE__ */ new Map();
  const seen = /* @__PURE__ */ new Map();
  for (const migration of migrations) {
    const digits = positions === 1 ? migration.parts[0].toString() : widths.map((width, i) => (migration.parts[i] ?? 0n).toString().padStart(width, "0")).join("");
    if (digits.length > VERSION_WIDTH) {
      throw new UsageError(`${migration.files[0]}: ${tool} version ${migration.sourceVersion} needs ${digits.length} digits as an rb version, more than the ${VERSION_WIDTH} of rb's timestamps, so new migrations would sort before it; rename the files to shorter versions (keeping their order) before importing, and record those in the tool's table too`);
    }
    const version = digits.padStart(VERSION_WIDTH, "0");
    const other = seen.get(version);
    if (other) {
      throw new UsageError(`${migration.files[0]}: ${tool} version ${migration.sourceVersion} is the same version as ${other.sourceVersion} of ${other.files[0]}; ${tool} refuses that too: give one of them another version`);
    }
    seen.set(version, migration);
    result.set(migration, version);
  }
  return result;
}
function refuseRbLines(section) {
  const lines = section.text.split(/\r?\n/);
  const index = lines.findIndex((line) => /^--\s*migrate:(up|down)\b/.test(line) || /^\s*--\s*rb:/.test(line));
  if (index !== -1) {
    throw new UsageError(`${section.file}:${section.line + index}: "${lines[index].trim()}" is a line rb reads as its own (a dbmate section marker or an rb setting); change that comment in the source file (e.g. "-- note: ..."), then run rb import again`);
  }
}
function sectionOptions(section, forced, warnings) {
  const statements = splitStatements(section.text);
  const refused = statements.filter((s) => refusedInTransaction(s));
  if (forced || statements.some(isTransactionControl) || statements.length === 1 && refused.length === 1) {
    if (statements.length > 1 && refused.length && !statements.some(isTransactionControl)) {
      warnings.push(`${section.file}: ${refusedInTransaction(refused[0])} is one of ${statements.length} statements; rb runs a transaction:false section as one query, where it cannot run: split the converted file into one file per statement before applying it anywhere`);
    }
    return " transaction:false";
  }
  if (refused.length) {
    warnings.push(`${section.file}: ${refusedInTransaction(refused[0])} cannot run inside a transaction, and the converted file runs in one; move that statement into a transaction:false file of its own before applying it anywhere`);
  }
  return "";
}
function body(text) {
  return text.endsWith("\n") ? text : `${text}
`;
}
function hasNoSql(text) {
  return splitStatements(text).length === 0;
}
function convertMigration(migration, tool, warnings) {
  refuseRbLines(migration.up);
  const header = `-- rb:imported from ${migration.files.join(" and ")} (${tool} version ${migration.sourceVersion})
`;
  const up = `-- migrate:up${sectionOptions(migration.up, migration.noTransaction, warnings)}
${body(migration.up.text)}
`;
  if ("irreversible" in migration.down) {
    return `${header}${up}-- migrate:down
-- rb:irreversible ${migration.down.irreversible}
`;
  }
  refuseRbLines(migration.down);
  const empty = hasNoSql(migration.down.text) ? `-- rb:irreversible the ${tool} down migration (${migration.down.file}) does nothing
` : "";
  const options = empty ? "" : sectionOptions(migration.down, migration.noTransaction, warnings);
  return `${header}${up}-- migrate:down${options}
${empty}${body(migration.down.text)}`;
}
function convertedFileName(version, migration) {
  return `${version}_${migrationSlug([migration.name]) || "migration"}.sql`;
}

// dist/adopt/import/flyway.js
var FILE = /^([VUB])(\d+(?:[._]\d+)*)__(.+)\.sql$/;
var REPEATABLE = /^R__(.+)\.sql$/;
var JAVA = /\.(java|class|kt)$/;
function versionParts(version) {
  const parts = version.split(/[._]/).map((p) => BigInt(p));
  while (parts.length > 1 && parts.at(-1) === 0n)
    parts.pop();
  return parts;
}
function compareParts(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0n;
    const y = b[i] ?? 0n;
    if (x !== y)
      return x < y ? -1 : 1;
  }
  return 0;
}
function versionKey(version) {
  return versionParts(version).join(".");
}
function listFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => path2.join(entry.parentPath, entry.name)).sort();
}
function runsOutsideTransaction(file) {
  const conf = `${file}.conf`;
  return existsSync(conf) && /^\s*executeInTransaction\s*=\s*false\s*$/m.test(readFileSync(conf, "utf8"));
}
function read(dir, show) {
  const warnings = [];
  const versioned = /* @__PURE__ */ new Map();
  const undos = [];
  for (const file of listFiles(dir)) {
    const name = path2.basename(file);
    if (JAVA.test(name)) {
      throw new UsageError(`${show(file)}: a Java migration; rb imports Flyway's SQL migrations only: write what it does as SQL in a V file (or, once imported, in a new rb migration), then run rb import again`);
    }
    if (REPEATABLE.test(name)) {
      throw new UsageError(`${show(file)}: a Flyway repeatable migration; rb has none (they run again whenever they change): move the file out of ${show(dir)}, run rb import, then put its SQL (CREATE OR REPLACE ...) in a new migration (rb new-migration), which can run on the databases Flyway ran it on too`);
    }
    const match = FILE.exec(name);
    if (!match) {
      if (name.endsWith(".sql"))
        warnings.push(`${show(file)}: not a Flyway migration name (V<version>__<description>.sql); left out, as Flyway leaves it out`);
      continue;
    }
    const [, prefix, version, description] = match;
    if (prefix === "B") {
      throw new UsageError(`${show(file)}: a Flyway baseline migration (B); rb imports the versioned (V) migrations it stands for: move it out of ${show(dir)} and run rb import again`);
    }
    const key = versionKey(version);
    if (prefix === "U") {
      undos.push({ key, file });
      continue;
    }
    const other = versioned.get(key);
    if (other)
      throw new UsageError(`${show(file)}: Flyway version ${version} is also ${show(other.file)} (Flyway takes ${other.version} and ${version} as one version); give one of them another version`);
    versioned.set(key, { parts: versionParts(version), version: version.replace(/_/g, "."), description, file });
  }
  for (const undo of undos) {
    const target = versioned.get(undo.key);
    if (!target)
      throw new UsageError(`${show(undo.file)}: an undo migration without its versioned one (V${undo.key}__...); add it or remove this file`);
    target.undo = undo.file;
  }
  const migrations = [...versioned.entries()].sort(([, a], [, b]) => compareParts(a.parts, b.parts)).map(([key, v]) => {
    const upText = readFileSync(v.file, "utf8");
    if (/\$\{[A-Za-z0-9_.:]+\}/.test(upText))
      warnings.push(`${show(v.file)}: uses a Flyway placeholder (\${...}), which Flyway replaced and rb will not; replace it in the converted file`);
    return {
      sourceVersion: v.version,
      parts: v.parts,
      name: v.description,
      trackingKey: key,
      files: v.undo ? [show(v.file), show(v.undo)] : [show(v.file)],
      up: { text: upText, file: show(v.file), line: 1 },
      down: v.undo ? { text: readFileSync(v.undo, "utf8"), file: show(v.undo), line: 1 } : { irreversible: `Flyway had no undo migration (U${v.version}__...) for it` },
      noTransaction: runsOutsideTransaction(v.file) || void 0
    };
  });
  return { migrations, warnings };
}
async function readTracking(sql, migrations) {
  const schema = await trackingTableSchema(sql, "flyway_schema_history");
  if (schema === void 0)
    return void 0;
  const table = `${schema}.flyway_schema_history`;
  const rows = await sql.unsafe(`select installed_rank as rank, version, description, type, script, success from ${quoteIdent(schema)}.flyway_schema_history order by installed_rank`);
  const applied = /* @__PURE__ */ new Set();
  let baseline2;
  for (const row of rows) {
    if (!row.success) {
      throw new MigrationError(`Flyway recorded ${row.script} (version ${row.version ?? "repeatable"}) as failed in ${table}; Flyway refuses to migrate on from there too: repair what it left by hand, remove the failed entry (flyway repair), then run rb import again`);
    }
    if (row.version === null || row.type === "SCHEMA")
      continue;
    if (row.type === "BASELINE" || row.type === "SQL_BASELINE") {
      baseline2 = versionParts(row.version);
      continue;
    }
    if (row.type === "JDBC" || row.type === "SPRING_JDBC") {
      throw new UsageError(`${table} records version ${row.version} (${row.script}) as a Java migration; rb cannot convert it: write what it did as SQL in a V${row.version}__ file, then run rb import again`);
    }
    if (row.type === "UNDO_SQL" || row.type === "UNDO_JDBC" || row.type === "DELETE") {
      applied.delete(recordedMigration(migrations, versionKey(row.version), table, "Flyway"));
      continue;
    }
    applied.add(recordedMigration(migrations, versionKey(row.version), table, "Flyway"));
  }
  if (baseline2) {
    for (const m of migrations)
      if (compareParts(m.parts, baseline2) <= 0)
        applied.add(m);
  }
  const list = migrations.filter((m) => applied.has(m));
  return {
    table,
    applied: list,
    summary: `${list.length} version(s) applied${baseline2 ? `, baseline ${baseline2.join(".")}` : ""}, none failed`
  };
}
var flyway = { name: "flyway", tool: "Flyway", read, readTracking };

// dist/adopt/import/golang-migrate.js
import { readdirSync as readdirSync2, readFileSync as readFileSync2 } from "node:fs";
import path3 from "node:path";
var FILE2 = /^([0-9]+)_(.*)\.(down|up)\.(.*)$/;
function read2(dir, show) {
  const byVersion = /* @__PURE__ */ new Map();
  for (const fileName of readdirSync2(dir).sort()) {
    const match = FILE2.exec(fileName);
    if (!match)
      continue;
    const [, digits, title, direction, ext] = match;
    if (ext !== "sql") {
      throw new UsageError(`${show(path3.join(dir, fileName))}: not an SQL migration (.${ext}); rb imports golang-migrate's .sql files only`);
    }
    const version = BigInt(digits);
    const key = version.toString();
    const entry = byVersion.get(key) ?? { version, title };
    const existing = direction === "up" ? entry.up : entry.down;
    if (existing) {
      throw new UsageError(`${show(path3.join(dir, fileName))}: version ${key} has a second ${direction} file (${existing}); golang-migrate refuses that too: keep one`);
    }
    entry[direction] = fileName;
    byVersion.set(key, entry);
  }
  const migrations = [];
  for (const entry of [...byVersion.values()].sort((a, b) => a.version < b.version ? -1 : 1)) {
    if (!entry.up)
      throw new UsageError(`${show(path3.join(dir, entry.down))}: a down migration without its up (${entry.version}_${entry.title}.up.sql); add it or remove this file`);
    const upFile = show(path3.join(dir, entry.up));
    const downFile = entry.down ? show(path3.join(dir, entry.down)) : void 0;
    migrations.push({
      sourceVersion: entry.version.toString(),
      parts: [entry.version],
      name: entry.title,
      trackingKey: entry.version.toString(),
      files: downFile ? [upFile, downFile] : [upFile],
      up: { text: readFileSync2(path3.join(dir, entry.up), "utf8"), file: upFile, line: 1 },
      down: entry.down ? { text: readFileSync2(path3.join(dir, entry.down), "utf8"), file: downFile, line: 1 } : { irreversible: "golang-migrate had no down migration for it" }
    });
  }
  return { migrations, warnings: [] };
}
async function readTracking2(sql, migrations) {
  const tables = await sql`
    select n.nspname as schema, c.relname as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind = 'r'
       and (c.relname = 'schema_migrations' or (n.nspname = ${GOLANG_MIGRATE_MOVED_TABLE.schema} and c.relname = ${GOLANG_MIGRATE_MOVED_TABLE.name}))
       and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'dirty' and not a.attisdropped)
     order by 1, 2`;
  if (tables.length === 0)
    return void 0;
  if (tables.length > 1) {
    throw new UsageError(`golang-migrate tracking tables in several places (${tables.map((t) => `${t.schema}.${t.name}`).join(", ")}); rb cannot tell which one belongs to this history: drop or rename the ones that do not (each is a schema_migrations table with a "dirty" column)`);
  }
  const table = `${quoteIdent(tables[0].schema)}.${quoteIdent(tables[0].name)}`;
  const shown = `${tables[0].schema}.${tables[0].name}`;
  const rows = await sql.unsafe(`select version::text as version, dirty from ${table}`);
  if (rows.length > 1)
    throw new UsageError(`${shown} holds ${rows.length} rows; golang-migrate keeps one (its current version): keep the row of the version the database is at`);
  const row = rows[0];
  if (row?.dirty) {
    throw new MigrationError(`golang-migrate recorded version ${row.version} as dirty in ${shown}: that migration failed part-way, and golang-migrate refuses to go on too; finish or undo what it did by hand, then mark the database clean (migrate force ${row.version}, or the version before it if you undid it) and run rb import again`);
  }
  const current = row ? BigInt(row.version) : void 0;
  if (current !== void 0)
    recordedMigration(migrations, current.toString(), shown, "golang-migrate");
  const atDbmatesPlace = tables[0].schema === DBMATE_TABLE.schema && tables[0].name === DBMATE_TABLE.name;
  return {
    table: shown,
    applied: current === void 0 ? [] : migrations.filter((m) => m.parts[0] <= current),
    summary: current === void 0 ? "no version (empty)" : `version ${current}, clean`,
    moveAside: atDbmatesPlace ? {
      to: qualified(GOLANG_MIGRATE_MOVED_TABLE),
      run: async (tx) => {
        await tx.unsafe(`alter table ${qualified(DBMATE_TABLE)} rename to ${GOLANG_MIGRATE_MOVED_TABLE.name}`);
        const constraints = await tx`
              select conname as name from pg_constraint where conrelid = ${qualified(GOLANG_MIGRATE_MOVED_TABLE)}::regclass and conname like 'schema\\_migrations%'`;
        for (const { name } of constraints) {
          const renamed = name.replace(/^schema_migrations/, GOLANG_MIGRATE_MOVED_TABLE.name);
          await tx.unsafe(`alter table ${qualified(GOLANG_MIGRATE_MOVED_TABLE)} rename constraint ${quoteIdent(name)} to ${quoteIdent(renamed)}`);
        }
      }
    } : void 0
  };
}
var golangMigrate = { name: "golang-migrate", tool: "golang-migrate", read: read2, readTracking: readTracking2 };

// dist/adopt/import/node-pg-migrate.js
import { readdirSync as readdirSync3, readFileSync as readFileSync3 } from "node:fs";
import path4 from "node:path";
var FILE3 = /^(\d+)_?(.*)\.([A-Za-z]+)$/;
var SCRIPT = /^(js|cjs|mjs|ts|cts|mts)$/;
var marker = (direction) => new RegExp(`^\\s*--[\\s-]*${direction}\\s+migration`, "im");
var NO_TRANSACTION = /^\s*--[\s-]*no\s*transaction/i;
function lineAt(text, offset) {
  return text.slice(0, offset).split("\n").length;
}
function splitSqlMigration(text, file) {
  const upStart = text.search(marker("up"));
  const downStart = text.search(marker("down"));
  const up = upStart >= 0 ? { text: text.slice(upStart, downStart < upStart ? void 0 : downStart), file, line: lineAt(text, upStart) } : { text, file, line: 1 };
  if (downStart < 0)
    return { up };
  return { up, down: { text: text.slice(downStart, upStart < downStart ? void 0 : upStart), file, line: lineAt(text, downStart) } };
}
function read3(dir, show) {
  const warnings = [];
  const migrations = [];
  for (const fileName of readdirSync3(dir).filter((f) => !f.startsWith(".")).sort()) {
    const file = path4.join(dir, fileName);
    const match = FILE3.exec(fileName);
    if (match && SCRIPT.test(match[3])) {
      throw new UsageError(`${show(file)}: a JavaScript/TypeScript migration (node-pg-migrate's builder); rb imports node-pg-migrate's SQL migrations only: write it as an SQL migration (-- Up Migration / -- Down Migration) first, or adopt the database as it is with rb baseline`);
    }
    if (!match || match[3] !== "sql") {
      if (fileName.endsWith(".sql"))
        throw new UsageError(`${show(file)}: an SQL file without node-pg-migrate's numeric prefix (<timestamp>_<name>.sql); rb cannot place it in the order`);
      warnings.push(`${show(file)}: not a node-pg-migrate migration; left out`);
      continue;
    }
    const text = readFileSync3(file, "utf8");
    const { up, down } = splitSqlMigration(text, show(file));
    const shown = show(file);
    migrations.push({
      sourceVersion: match[1],
      parts: [BigInt(match[1])],
      name: match[2] || fileName.replace(/\.sql$/, ""),
      trackingKey: fileName.replace(/\.sql$/, ""),
      files: [shown],
      up,
      down: down ?? { irreversible: "the node-pg-migrate migration had no -- Down Migration section" },
      noTransaction: NO_TRANSACTION.test(text) || void 0
    });
  }
  migrations.sort((a, b) => a.parts[0] < b.parts[0] ? -1 : a.parts[0] > b.parts[0] ? 1 : a.trackingKey < b.trackingKey ? -1 : 1);
  return { migrations, warnings };
}
async function readTracking3(sql, migrations) {
  const schema = await trackingTableSchema(sql, "pgmigrations");
  if (schema === void 0)
    return void 0;
  const table = `${schema}.pgmigrations`;
  const rows = await sql.unsafe(`select name from ${quoteIdent(schema)}.pgmigrations order by run_on, id`);
  const applied = new Set(rows.map((r) => recordedMigration(migrations, r.name, table, "node-pg-migrate")));
  const list = migrations.filter((m) => applied.has(m));
  return { table, applied: list, summary: `${list.length} migration(s) run` };
}
var nodePgMigrate = { name: "node-pg-migrate", tool: "node-pg-migrate", read: read3, readTracking: readTracking3 };

// dist/adopt/import/prisma.js
import { existsSync as existsSync2, readdirSync as readdirSync4, readFileSync as readFileSync4 } from "node:fs";
import path5 from "node:path";
var FOLDER = /^(\d+)_(.+)$/;
function read4(dir, show) {
  const lock = path5.join(dir, "migration_lock.toml");
  if (existsSync2(lock)) {
    const provider = /^\s*provider\s*=\s*"([^"]+)"/m.exec(readFileSync4(lock, "utf8"))?.[1];
    if (provider && provider !== "postgresql") {
      throw new UsageError(`${show(lock)}: these migrations are for ${provider}; rb works with PostgreSQL (provider = "postgresql")`);
    }
  }
  const folders = readdirSync4(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  if (folders.length === 0 && existsSync2(path5.join(dir, "migrations"))) {
    throw new UsageError(`${show(dir)} holds no migration folders; Prisma keeps them in ${show(path5.join(dir, "migrations"))}: give that directory`);
  }
  const migrations = [];
  for (const folder of folders) {
    const file = path5.join(dir, folder, "migration.sql");
    const match = FOLDER.exec(folder);
    if (!match || !existsSync2(file)) {
      throw new UsageError(`${show(path5.join(dir, folder))}: not a Prisma migration (<timestamp>_<name>/migration.sql, as prisma migrate dev writes); move it out of ${show(dir)}`);
    }
    migrations.push({
      sourceVersion: match[1],
      parts: [BigInt(match[1])],
      name: match[2],
      trackingKey: folder,
      files: [show(file)],
      up: { text: readFileSync4(file, "utf8"), file: show(file), line: 1 },
      down: { irreversible: "Prisma Migrate writes no down migrations" }
    });
  }
  return { migrations, warnings: [] };
}
async function readTracking4(sql, migrations) {
  const schema = await trackingTableSchema(sql, "_prisma_migrations");
  if (schema === void 0)
    return void 0;
  const table = `${schema}._prisma_migrations`;
  const rows = await sql.unsafe(`select migration_name as name, finished_at is not null as finished, rolled_back_at is not null as "rolledBack", logs
       from ${quoteIdent(schema)}._prisma_migrations order by started_at, migration_name`);
  const failed = rows.find((r) => !r.finished && !r.rolledBack);
  if (failed) {
    const log = failed.logs ? ` (${failed.logs.trim().split("\n")[0].slice(0, 200)})` : "";
    throw new MigrationError(`Prisma Migrate recorded ${failed.name} as started but not finished in ${table}: it failed${log}, and Prisma refuses to migrate on from there too; repair what it left, mark it with prisma migrate resolve --rolled-back ${failed.name} (or --applied ${failed.name} if you completed it by hand), then run rb import again`);
  }
  const applied = new Set(rows.filter((r) => r.finished && !r.rolledBack).map((r) => recordedMigration(migrations, r.name, table, "Prisma Migrate")));
  const list = migrations.filter((m) => applied.has(m));
  const rolledBack = rows.filter((r) => r.rolledBack).length;
  return { table, applied: list, summary: `${list.length} migration(s) finished${rolledBack ? `, ${rolledBack} rolled back` : ""}, none failed` };
}
var prisma = { name: "prisma", tool: "Prisma Migrate", read: read4, readTracking: readTracking4 };

// dist/adopt/import-history.js
var IMPORTERS = [golangMigrate, flyway, prisma, nodePgMigrate];
function findImporter(name) {
  const importer = IMPORTERS.find((i) => i.name === name);
  if (!importer)
    throw new UsageError(`rb import does not know "${name}"; it imports ${IMPORTERS.map((i) => i.name).join(", ")}: rb import flyway db/sql`);
  return importer;
}
function convert(config, importer, migrations, warnings) {
  const versions = assignVersions(migrations, importer.tool);
  const existing = new Map(listMigrations(config.migrationsDir).map((e) => [versionNumber(e.version), e]));
  return migrations.map((source) => {
    const version = versions.get(source);
    const fileName = convertedFileName(version, source);
    const entry = { version, name: fileName.slice(version.length + 1, -4), fileName, path: path6.join(config.migrationsDir, fileName) };
    const text = convertMigration(source, importer.tool, warnings);
    const there = existing.get(versionNumber(version));
    if (!there)
      return { source, entry, text, state: "new" };
    const shown = relativeToProject(config, there.path);
    if (there.fileName !== fileName) {
      throw new UsageError(`${shown}: version ${version} is taken, and ${source.files[0]} converts to ${fileName} with that version; move ${shown} to a newer version (rb new-migration makes one) and run rb import again`);
    }
    if (readFileSync5(there.path, "utf8") !== text) {
      throw new UsageError(`${shown} exists with other content than rb import converts ${source.files[0]} to (edited since an earlier import?); rb never overwrites a migration: put back the converted text or remove the file, then run rb import again`);
    }
    return { source, entry, text, state: "unchanged" };
  });
}
async function planTracking(sql, importer, files, target) {
  const source = await importer.readTracking(sql, files.map((f) => f.source));
  if (!source) {
    throw new UsageError(`${describeUrl(target.url)} has no ${importer.tool} tracking table, so there is nothing to record; if ${importer.tool} never migrated this database, run rb import without a database (it converts the files only) and rb upgrade to apply them`);
  }
  const recordedVersions = new Set((source.moveAside ? [] : await readAppliedVersions(sql)).map(versionNumber));
  const applied = files.filter((f) => source.applied.includes(f.source));
  const recorded = applied.filter((f) => !recordedVersions.has(versionNumber(f.entry.version)));
  return { source, recorded, alreadyRecorded: applied.length - recorded.length };
}
async function importHistory(config, importer, dir, target, options) {
  const sourceDir = path6.resolve(dir);
  const show = (file) => relativeToProject(config, file);
  if (!existsSync3(sourceDir) || !statSync(sourceDir).isDirectory()) {
    throw new UsageError(`${dir}: no such directory; give the directory that holds the ${importer.tool} migrations`);
  }
  const { migrations, warnings } = importer.read(sourceDir, show);
  if (migrations.length === 0)
    throw new UsageError(`${show(sourceDir)} holds no ${importer.tool} migrations; give the directory that holds them`);
  const files = convert(config, importer, migrations, warnings);
  const plan = target ? await withClient(target.url, (sql) => planTracking(sql, importer, files, target)) : void 0;
  const result = { importer, files, warnings, dryRun: Boolean(options.dryRun), tracking: plan && target ? { target, ...plan } : void 0 };
  if (options.dryRun)
    return result;
  const fresh = files.filter((f) => f.state === "new");
  if (target && plan) {
    await unlessStopped(guardProduction(target, {
      action: `record the ${importer.tool} history as rb's`,
      plan: [
        ...fresh.length ? [`write ${fresh.length} converted file(s) into ${show(config.migrationsDir)}`] : [],
        ...plan.source.moveAside ? [`move ${importer.tool}'s ${plan.source.table} to ${plan.source.moveAside.to} (dbmate's table takes its name)`] : [],
        `record ${plan.recorded.length} migration(s) as applied without running them (${importer.tool}'s ${plan.source.table}: ${plan.source.summary})`
      ],
      yes: options.yes,
      confirm: options.confirm
    }), options.signal, "nothing was written or recorded");
  }
  mkdirSync2(config.migrationsDir, { recursive: true });
  for (const file of fresh)
    writeFileSync2(file.entry.path, file.text, { flag: "wx" });
  if (!target)
    return result;
  result.tracking = await recordWithoutRunning(target.url, lockOptions(options), async (tx) => {
    const now = await planTracking(tx, importer, files, target);
    await now.source.moveAside?.run(tx);
    return { entries: now.recorded.map((f) => f.entry), result: { target, ...now } };
  }, async (tracking) => {
    if (!target.isProduction && tracking.recorded.length)
      result.schemaFile = await writeSchemaFileWithoutBookkeeping(config, target.url);
  });
  return result;
}

// dist/commands/adopt-commands.js
var KINDS = [
  ["EXTENSION", "extension"],
  ["SCHEMA", "schema"],
  ["TABLE", "table"],
  ["VIEW", "view"],
  ["MATERIALIZED VIEW", "materialized view"],
  ["SEQUENCE", "sequence"],
  ["INDEX", "index"],
  ["TYPE", "type"],
  ["DOMAIN", "domain"],
  ["FUNCTION", "function"],
  ["PROCEDURE", "procedure"],
  ["TRIGGER", "trigger"]
];
function describeObjects(objects) {
  const parts = KINDS.filter(([kind]) => objects.get(kind)).map(([kind, word]) => {
    const n = objects.get(kind);
    return `${n} ${n === 1 ? word : word.endsWith("x") ? `${word}es` : `${word}s`}`;
  });
  return parts.join(", ") || "no objects";
}
async function baselineCommand(flags, io) {
  const { config, target } = await configAndTarget(flags, io);
  const result = await interruptible(({ signal }) => baseline(config, target, {
    dryRun: flags.dryRun,
    yes: flags.yes,
    confirm: io.confirm,
    onEvent: (event) => io.err(describeMigrationEvent(event)),
    signal
  }));
  const file = relativeToProject(config, result.file);
  const would = result.dryRun ? "Would" : "";
  const left = result.leftOut.length ? `; left out: ${result.leftOut.map((t) => `${t.table} (${t.tool}'s tracking table)`).join(", ")}` : "";
  if (result.written)
    io.out(`${would ? "Would write" : "Wrote"} ${file}: the schema of ${config.schemas.join(", ")} (${describeObjects(result.objects)})${left}`);
  else
    io.out(`The schema of ${config.schemas.join(", ")} (${describeObjects(result.objects)}) is the one in ${file}`);
  io.out(`${would ? "Would record" : "Recorded"} ${file.split("/").pop()} as applied on ${targetLabel(target)}, without running it`);
  if (result.schemaFile)
    io.out(`Wrote ${relativeToProject(config, result.schemaFile)}`);
  if (result.pending.length)
    io.out(`${result.pending.length} other migration(s) in ${relativeToProject(config, config.migrationsDir)} stay pending: rb upgrade applies them`);
  if (result.dryRun)
    io.out("Dry run: nothing was written or recorded");
}
async function importCommand(tool, dir, flags, io) {
  const importer = findImporter(tool);
  const config = loadConfig();
  const target = flags.prod || flags.databaseUrl ? await resolveTarget(config, { prod: flags.prod, databaseUrl: flags.databaseUrl, warn: io.err }) : void 0;
  const result = await interruptible(({ signal }) => importHistory(config, importer, dir, target, {
    dryRun: flags.dryRun,
    yes: flags.yes,
    confirm: io.confirm,
    onEvent: (event) => io.err(describeMigrationEvent(event)),
    signal
  }));
  for (const warning of result.warnings)
    io.err(`warning: ${warning}`);
  const fresh = result.files.filter((f) => f.state === "new");
  const verb = result.dryRun ? "Would convert" : "Converted";
  io.out(`${verb} ${result.files.length} ${importer.tool} migration(s) into ${relativeToProject(config, config.migrationsDir)} (${fresh.length} new, ${result.files.length - fresh.length} there already):`);
  for (const file of result.files) {
    io.out(`  ${file.source.files.join(" + ")} -> ${file.entry.fileName}${file.state === "unchanged" ? " (unchanged)" : ""}`);
  }
  const tracking = result.tracking;
  if (!tracking) {
    io.out(`Next: record what ${importer.tool} applied on each database it migrated: rb import ${importer.name} ${dir} --database-url <its URL> (or --prod)`);
    return;
  }
  const where = targetLabel(tracking.target);
  io.out(`${importer.tool}'s ${tracking.source.table} on ${where}: ${tracking.source.summary}`);
  if (tracking.source.moveAside)
    io.out(`${result.dryRun ? "Would move" : "Moved"} ${tracking.source.table} to ${tracking.source.moveAside.to}, so dbmate's tracking table can take its name`);
  const already = tracking.alreadyRecorded ? ` (${tracking.alreadyRecorded} recorded already)` : "";
  io.out(`${result.dryRun ? "Would record" : "Recorded"} ${tracking.recorded.length} migration(s) as applied on ${where}, without running them${already}`);
  if (result.schemaFile)
    io.out(`Wrote ${relativeToProject(config, result.schemaFile)}`);
  if (result.dryRun)
    io.out("Dry run: nothing was written or recorded");
}
export {
  baselineCommand,
  describeObjects,
  importCommand
};
