import {
  createScratchDatabase,
  diffSnapshots,
  takeSnapshot
} from "./chunk-YC3FKTZG.js";
import {
  settingClause
} from "./chunk-XHXONIPQ.js";
import {
  readRbRecords,
  reviewChecksums
} from "./chunk-HCAWX5Z5.js";
import {
  readAppliedVersions
} from "./chunk-MDXE5UZ2.js";
import {
  describeFailure,
  failureError,
  runMigrations
} from "./chunk-H26FYK5V.js";
import "./chunk-J3NTZTBQ.js";
import "./chunk-2M3JEVIH.js";
import {
  onSameServer
} from "./chunk-5YUNIXTH.js";
import {
  configAndTarget,
  targetJson,
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
  otherToolTable,
  qualified
} from "./chunk-IUNTMCXC.js";
import {
  quoteIdent
} from "./chunk-HJV3SOPZ.js";
import {
  compareVersions,
  listMigrations,
  readMigrations
} from "./chunk-LC5NCFF3.js";
import "./chunk-7U3JJN2P.js";
import "./chunk-GX35TSEW.js";
import "./chunk-APFTIODY.js";
import {
  asConnectionError,
  connect,
  withClient
} from "./chunk-EKB3CR5R.js";
import {
  describeUrl,
  parseDatabaseUrl
} from "./chunk-ZES4J75L.js";
import {
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import {
  InterruptedError,
  MigrationError,
  RbError,
  RefusedError,
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/drift/compare-schemas.js
var KINDS = [
  "materialized view",
  "foreign table",
  "window function",
  "table",
  "view",
  "sequence",
  "column",
  "constraint",
  "index",
  "trigger",
  "policy",
  "rule",
  "type",
  "function",
  "procedure",
  "aggregate"
];
function inSchemas(item, schemas) {
  const { key } = item;
  if (key.startsWith("schema "))
    return schemas.has(key.slice("schema ".length));
  if (key.startsWith("extension "))
    return schemas.has(item.attrs.schema ?? "");
  if (key.startsWith("default privileges of ")) {
    const schema = / in schema (.+) on [a-z]+$/.exec(key)?.[1];
    return schema === void 0 || schemas.has(schema);
  }
  const kind = KINDS.find((k) => key.startsWith(`${k} `));
  if (!kind)
    return true;
  const name = key.slice(kind.length + 1);
  return [...schemas].some((schema) => name.startsWith(`${schema}.`));
}
function otherToolObject(item) {
  return [item.key, item.parent].some((key) => {
    const match = key ? /^table (.+)\.([^.]+)$/.exec(key) : null;
    return match !== null && otherToolTable(match[1], match[2]) !== void 0;
  });
}
function aclName(role) {
  return /^[a-z_][a-z0-9_$]*$/.test(role) ? role : `"${role.replace(/"/g, '""')}"`;
}
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
function renameRole(snapshot, from, to) {
  const inAcl = new RegExp(`(^|[{,/])${escapeRegExp(aclName(from))}(?=[=/,}]|$)`, "g");
  const renamed = /* @__PURE__ */ new Map();
  for (const item of snapshot.values()) {
    const attrs = { ...item.attrs };
    if (attrs.owner === from)
      attrs.owner = to;
    if (attrs.acl)
      attrs.acl = attrs.acl.replace(inAcl, `$1${aclName(to)}`);
    const prefix = `default privileges of ${from} `;
    const key = item.key.startsWith(prefix) ? `default privileges of ${to} ${item.key.slice(prefix.length)}` : item.key;
    renamed.set(key, { ...item, key, attrs });
  }
  return renamed;
}
function compared(snapshot, schemas) {
  const kept = /* @__PURE__ */ new Map();
  for (const item of snapshot.values()) {
    if (!inSchemas(item, schemas) || otherToolObject(item))
      continue;
    if (item.key.startsWith("extension ")) {
      const { version: _version, ...attrs } = item.attrs;
      kept.set(item.key, { ...item, attrs });
    } else
      kept.set(item.key, item);
  }
  return kept;
}
function sentence(change, label) {
  const object = change.key;
  if (change.kind === "left-behind")
    return { kind: "extra", object, text: `${object} exists in ${label} but no migration creates it` };
  if (change.kind === "missing")
    return { kind: "missing", object, text: `${object} is missing in ${label} (the migrations create it)` };
  if (change.attribute?.name === "not null") {
    const inDatabase = change.attribute.after === "none" ? "nullable" : "NOT NULL";
    const inMigrations = change.attribute.before === "none" ? "nullable" : "NOT NULL";
    return { kind: "changed", object, text: `${object} is ${inDatabase} in ${label}, ${inMigrations} in the migrations` };
  }
  if (change.attribute) {
    const { name, before, after } = change.attribute;
    return { kind: "changed", object, text: `${object}: ${name} is ${after} in ${label}, ${before} in the migrations` };
  }
  if (change.renamedTo)
    return { kind: "changed", object, text: `${object} is named ${change.renamedTo} in ${label} (same definition)` };
  return { kind: "changed", object, text: `${change.text} in ${label} compared with the migrations` };
}
function compareSchemas(expected, actual, options) {
  const schemaNames = (snapshot) => [...snapshot.keys()].filter((k) => k.startsWith("schema ")).map((k) => k.slice("schema ".length));
  const schemas = /* @__PURE__ */ new Set([...schemaNames(expected), ...options.schemas]);
  const notCompared = schemaNames(actual).filter((s) => !schemas.has(s)).sort();
  const { expected: expectedRole, actual: actualRole } = options.roles;
  const normalised = expectedRole && actualRole && expectedRole !== actualRole ? renameRole(expected, expectedRole, actualRole) : expected;
  const changes = diffSnapshots(compared(normalised, schemas), compared(actual, schemas));
  return { differences: changes.map((change) => sentence(change, options.label)), notCompared };
}

// dist/drift/read-target.js
async function migrationRoleOf(sql) {
  const [row] = await sql`
    select pg_get_userbyid(c.relowner) as role from pg_class c where c.oid = to_regclass(${qualified(DBMATE_TABLE)})`;
  return row?.role ?? null;
}
async function searchPathOf(sql, role) {
  const rows = await sql`
    select s.setconfig as config
      from pg_db_role_setting s
      join pg_database d on d.datname = current_database()
      left join pg_roles r on r.rolname = coalesce(${role}::text, current_user)
     where (s.setdatabase = d.oid and s.setrole = r.oid) or (s.setdatabase = 0 and s.setrole = r.oid) or (s.setdatabase = d.oid and s.setrole = 0)
     order by case when s.setdatabase <> 0 and s.setrole <> 0 then 0 when s.setrole <> 0 then 1 else 2 end`;
  for (const row of rows) {
    const entry = row.config.find((c) => c.toLowerCase().startsWith("search_path="));
    if (entry)
      return entry;
  }
  return null;
}
async function readTarget(url) {
  const sql = connect(url, { connection: { application_name: "rb drift" } });
  try {
    const session = await sql.reserve();
    try {
      await session`begin isolation level repeatable read read only`;
      await session`set local search_path = pg_catalog`;
      const applied = await readAppliedVersions(session);
      const records = await readRbRecords(session);
      const migrationRole = await migrationRoleOf(session);
      const searchPath = await searchPathOf(session, migrationRole);
      const snapshot = await takeSnapshot(session);
      await session`rollback`;
      return { applied, records, snapshot, migrationRole, searchPath };
    } finally {
      session.release();
    }
  } catch (error) {
    const failure = asConnectionError(error, url);
    if (failure.name !== "PostgresError")
      throw failure;
    throw new RbError(`could not read the schema of ${describeUrl(url)}: ${failure.message} (SQLSTATE ${failure.code}); nothing was changed`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

// dist/drift/expected-schema.js
async function buildExpectedSchema(serverUrl, files, options) {
  const scratch = await createScratchDatabase(serverUrl, "rb drift");
  try {
    if (options.searchPath)
      await withClient(scratch.url, (sql) => sql.unsafe(`alter role current_user in database ${quoteIdent(scratch.name)} set ${settingClause(options.searchPath)}`));
    const run = await runMigrations(scratch.url, files, "migrate", { replayToLocate: true });
    if (run.stopped)
      throw new InterruptedError(`stopped by ${run.stopped.signal}`, run.stopped.signal === "SIGTERM" ? "SIGTERM" : "SIGINT");
    if (run.failure) {
      const text = describeFailure(run.failure, options.show);
      if (run.failure.connectionLost)
        throw failureError(run.failure, `lost the connection to the scratch database: ${text}`);
      throw new MigrationError(`${text}; the applied migrations do not build on an empty scratch database (${scratch.name}), so rb drift cannot say what they create (a role or an extension the server lacks? rb check shows the same failure)`);
    }
    return await withClient(scratch.url, async (sql) => ({ snapshot: await takeSnapshot(sql), migrationRole: await migrationRoleOf(sql) }), { connection: { search_path: "pg_catalog" } });
  } finally {
    await scratch.drop();
  }
}

// dist/drift/run-drift.js
function driftLabel(target) {
  if (target.isProduction)
    return "production";
  if (target.kind === "embedded")
    return "the local database";
  return `database ${parseDatabaseUrl(target.url).database}`;
}
async function scratchServerFor(config, target, options) {
  await identifyTarget(target);
  if (!target.isProduction)
    return target.url;
  const local = await resolveTarget(config, { warn: options.warn });
  if (local.kind === "embedded")
    return local.url;
  await identifyTarget(local);
  if (local.isProduction || await onSameServer(local.url, target.url)) {
    throw new RefusedError(`refusing to build the expected schema on production's server: ${local.source} (${describeUrl(local.url)}), where rb drift --prod creates its scratch database, is on it; point ${local.source} at a local or CI server, or unset it to use the embedded server`);
  }
  return local.url;
}
async function runDrift(config, target, options = {}) {
  const started = performance.now();
  const scratchServer = await scratchServerFor(config, target, options);
  const label = driftLabel(target);
  const reading = await readTarget(target.url);
  const entries = listMigrations(config.migrationsDir);
  const byVersion = new Map(entries.map((e) => [e.version, e]));
  const missing = reading.applied.filter((v) => !byVersion.has(v)).sort(compareVersions);
  if (missing.length) {
    throw new UsageError(`${label} has applied ${missing.length} migration(s) that ${relativeToProject(config, config.migrationsDir)} does not have: ${missing.join(", ")}; rb drift builds the expected schema from the applied files and does not guess what those created: update your checkout (git pull) and run it again`);
  }
  const appliedEntries = reading.applied.map((v) => byVersion.get(v)).sort((a, b) => compareVersions(a.version, b.version));
  const edited = reviewChecksums(appliedEntries, new Set(reading.applied), reading.records).edited.map((e) => e.fileName);
  const files = readMigrations(config.migrationsDir, appliedEntries, config.projectDir);
  const expected = await buildExpectedSchema(scratchServer, files, {
    searchPath: reading.searchPath,
    show: (filePath) => relativeToProject(config, filePath)
  });
  const comparison = compareSchemas(expected.snapshot, reading.snapshot, {
    label,
    schemas: config.schemas,
    roles: { expected: expected.migrationRole, actual: reading.migrationRole }
  });
  return {
    ok: comparison.differences.length === 0,
    label,
    applied: files.length,
    edited,
    differences: comparison.differences,
    notCompared: comparison.notCompared,
    scratchServer: describeUrl(scratchServer),
    durationMs: Math.round(performance.now() - started)
  };
}

// dist/commands/drift-command.js
var DriftFoundError = class extends RbError {
};
function drift(config, target, io) {
  return interruptible(async ({ signal }) => {
    try {
      return await runDrift(config, target, { warn: io.err });
    } catch (error) {
      if (!signal.aborted)
        throw error;
      const stop = stopSignalOf(signal);
      throw new InterruptedError(`rb drift stopped by ${stop}; its scratch database was dropped, nothing was changed`, stop);
    }
  });
}
function notes(result, io) {
  if (result.applied === 0)
    io.err(`note: ${result.label} has no applied migrations (no rows in public.schema_migrations): everything in it counts as drift`);
  for (const file of result.edited) {
    io.err(`note: ${file} was edited after it was applied to ${result.label}; the expected schema uses the file as it is now`);
  }
  if (result.notCompared.length) {
    io.err(`note: not compared: schema(s) ${result.notCompared.join(", ")} (no migration creates them; list them in "rb": {"schemas": [...]} in package.json to compare them)`);
  }
}
function found(result, json = false) {
  return new DriftFoundError(`drift: ${result.differences.length} difference(s) between ${result.label} and what its applied migrations create; see ${json ? "the JSON output" : "the lines above"}`);
}
async function driftCommand(flags, io) {
  const { config, target } = await configAndTarget(flags, io);
  const result = await drift(config, target, io);
  if (flags.json) {
    io.out(JSON.stringify({ ...result, target: targetJson(target) }, null, 2));
  } else {
    notes(result, io);
    for (const difference of result.differences)
      io.out(difference.text);
    const seconds = (result.durationMs / 1e3).toFixed(1);
    io.out(result.ok ? `rb drift: ${targetLabel(target)}: no drift; its schema is what its ${result.applied} applied migration(s) create (${seconds} s)` : `rb drift: ${targetLabel(target)}: ${result.differences.length} difference(s) from what its ${result.applied} applied migration(s) create (${seconds} s)`);
  }
  if (!result.ok)
    throw found(result, flags.json);
}
async function driftForJson(config, target, io) {
  const result = await drift(config, target, io);
  return result.ok ? { result } : { result, failure: found(result, true) };
}
async function printDriftForStatus(config, target, io) {
  const result = await drift(config, target, io);
  notes(result, io);
  if (result.ok) {
    io.out(`drift: none; the schema is what the ${result.applied} applied migration(s) create`);
    return;
  }
  io.out(`drift: ${result.differences.length} difference(s) from what the applied migrations create:`);
  for (const difference of result.differences)
    io.out(`  ${difference.text}`);
  throw found(result);
}
export {
  DriftFoundError,
  driftCommand,
  driftForJson,
  printDriftForStatus
};
