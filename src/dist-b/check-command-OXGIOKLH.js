import {
  progressLine
} from "./chunk-GLAHWKWA.js";
import {
  LOCK_MODES,
  blockedBy,
  lockName
} from "./chunk-MRCRL37S.js";
import {
  PREPARED,
  createScratchDatabase,
  diffSnapshots,
  readSnapshotRows,
  snapshotSql,
  takeSnapshot
} from "./chunk-YC3FKTZG.js";
import {
  generateTypes
} from "./chunk-BQIFCJFL.js";
import "./chunk-OLCLYL6C.js";
import {
  describeFailure,
  failureError,
  runMigrations
} from "./chunk-H26FYK5V.js";
import {
  stripRestrictLines
} from "./chunk-YS7UXT2K.js";
import {
  makeTempDir,
  runDbmate
} from "./chunk-J3NTZTBQ.js";
import {
  runProcess
} from "./chunk-2M3JEVIH.js";
import {
  configAndTarget,
  refuseProductionServer
} from "./chunk-X6FAZUW5.js";
import "./chunk-LWDHCSGX.js";
import {
  closestWord
} from "./chunk-V45WLR62.js";
import {
  interruptible,
  stopSignalOf
} from "./chunk-NMHWLE4Q.js";
import {
  DBMATE_TABLE,
  TOOLING_TABLES,
  qualified
} from "./chunk-IUNTMCXC.js";
import {
  PGTYPED_CONFIG_FILE
} from "./chunk-3Q7U43SF.js";
import "./chunk-HJV3SOPZ.js";
import {
  compareVersions,
  duplicateVersionProblem,
  versionNumber
} from "./chunk-LC5NCFF3.js";
import {
  isEmptySection,
  parseFileName,
  parseMigrationText,
  transactionFalseProblem
} from "./chunk-7U3JJN2P.js";
import {
  isTransactionControl,
  splitStatements
} from "./chunk-GX35TSEW.js";
import "./chunk-APFTIODY.js";
import {
  asConnectionError,
  connect,
  connectOptions,
  connectionLossReason
} from "./chunk-EKB3CR5R.js";
import {
  maskUrl
} from "./chunk-ZES4J75L.js";
import {
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import {
  ConnectionError,
  InterruptedError,
  RbError,
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/commands/check-command.js
import path5 from "node:path";

// dist/check/finding.js
var CHECK_STAGES = ["well-formed", "round-trip", "impact", "lint", "generated"];
function isWarning(finding) {
  return finding.severity === "warning";
}
function formatFinding(finding) {
  const where = finding.file ? `${finding.file}${finding.line ? `:${finding.line}` : ""}: ` : "";
  const rule = finding.rule === finding.stage ? finding.stage : `${finding.stage}/${finding.rule}`;
  return `${where}${rule}: ${isWarning(finding) ? "warning: " : ""}${finding.message}`;
}

// dist/check/generated-current.js
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
async function checkSchemaFileCurrent(config, scratchUrl) {
  const relative = relativeToProject(config, config.schemaFile);
  const tempDir = makeTempDir("check-dump");
  let expected;
  try {
    const dumpFile = path.join(tempDir, "schema.sql");
    const result = await runDbmate({ url: scratchUrl, migrationsDir: config.migrationsDir, schemaFile: dumpFile }, ["dump"]);
    if (!result.ok) {
      const detail2 = (result.stderr || result.stdout).trim().split("\n").pop() ?? "";
      throw new RbError(`could not dump the scratch database to compare with ${relative}: ${detail2}`);
    }
    expected = stripRestrictLines(readFileSync(dumpFile, "utf8"));
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
  const expectedDir = path.join(config.stateDir, "check");
  mkdirSync(expectedDir, { recursive: true });
  const expectedFile = path.join(expectedDir, "schema.sql");
  writeFileSync(expectedFile, expected);
  const expectedRelative = path.relative(config.projectDir, expectedFile);
  if (!existsSync(config.schemaFile)) {
    return [{
      stage: "generated",
      rule: "schema-file",
      file: relative,
      message: `missing; commit the schema the migrations produce (written to ${expectedRelative}: cp ${expectedRelative} ${relative})`
    }];
  }
  const actual = readFileSync(config.schemaFile, "utf8").replace(/\r\n/g, "\n");
  if (actual === expected)
    return [];
  const a = actual.split("\n");
  const e = expected.split("\n");
  const index = e.findIndex((line2, i) => line2 !== a[i]);
  const line = index === -1 ? e.length + 1 : index + 1;
  const found = a[line - 1];
  const wanted = e[line - 1];
  const detail = wanted === void 0 ? `ends at line ${e.length - 1} but has more` : found === void 0 ? `expected "${wanted.slice(0, 80)}" but the file ends` : `expected "${wanted.slice(0, 80)}", found "${found.slice(0, 80)}"`;
  return [{
    stage: "generated",
    rule: "schema-file",
    file: relative,
    line,
    message: `out of date with the migrations (${detail}); the schema the migrations produce is in ${expectedRelative}: cp ${expectedRelative} ${relative}, or run rb upgrade on a fresh local database`
  }];
}

// dist/check/impact-rules.js
var IMPACT_RULES = {
  "table-rewrite": "error",
  "type-change-rewrite": "error",
  "non-concurrent-index": "error",
  "constraint-scan": "error",
  "not-null-scan": "error",
  "scan-under-lock": "error",
  "lock-held-during-scan": "error",
  "data-change": "warning",
  "blocking-lock": "warning"
};
function impactLevels(configured = {}) {
  const unknown = Object.keys(configured).filter((name) => !(name in IMPACT_RULES));
  if (unknown.length) {
    const rules = Object.keys(IMPACT_RULES);
    const named = unknown.map((name) => {
      const meant = closestWord(name, rules);
      return meant ? `${name} (did you mean ${meant}?)` : name;
    });
    throw new UsageError(`package.json: "rb.check.impactRules" names unknown rule(s) ${named.join(", ")}; the impact rules are ${rules.join(", ")}`);
  }
  return { ...IMPACT_RULES, ...configured };
}
function statementName(words) {
  const [a, b, c, d] = words;
  if (!a)
    return "the statement";
  if (a === "do")
    return "a DO block";
  if (["create", "alter", "drop", "refresh", "comment", "grant", "revoke"].includes(a)) {
    const kinds = ["table", "index", "view", "type", "domain", "materialized", "trigger", "function", "sequence", "constraint", "policy", "on", "schema", "extension"];
    const rest = [b, c, d].filter(Boolean);
    const end = rest.findIndex((w) => kinds.includes(w));
    const taken = end === -1 ? rest.slice(0, 1) : rest.slice(0, end + 1 + (rest[end] === "materialized" ? 1 : 0));
    return [a, ...taken].join(" ").toUpperCase();
  }
  return a.toUpperCase();
}
function aLock(mode) {
  const name = lockName(mode);
  return `${/^[AEIOU]/.test(name) ? "an" : "a"} ${name} lock`;
}
function blocked(mode, kind = "r") {
  if (kind === "m")
    return "reads of";
  return blockedBy(mode) === "reads and writes" ? "reads and writes of" : "writes to";
}
var AND_LATER = "in a later migration";
var CONCURRENT_FILE = 'in its own transaction:false file (rb new-migration makes one; see "Safe migrations")';
function rewriteFinding(impact, event) {
  const { relation, lock, words } = impact;
  if (impact.kind === "m") {
    return ["table-rewrite", `${statementName(words)} refills ${relation} into new storage under ${aLock(lock)}: ${blocked(lock, "m")} ${relation} wait until it is refilled; fix: REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the view, and lets reads through while it refreshes)`];
  }
  const under = `under ${aLock(lock)}: ${blocked(lock)} ${relation} wait until the whole table is copied`;
  if (event.typeChanges.length) {
    const changes = event.typeChanges.map((c) => `${c.column} from ${c.from} to ${c.to}`).join(", ");
    const enums = event.typeChanges.every((c) => c.enums);
    const fix2 = enums ? "keep the enum and add values with ALTER TYPE ... ADD VALUE (no rewrite); to change it otherwise, add a column of the new type, backfill it in batches (rb run-script), then switch to it" : "add a column of the new type, backfill it in batches (rb run-script), then switch to it and drop the old one";
    return ["type-change-rewrite", `${statementName(words)} rewrites ${relation} to change the type of ${changes} ${under}; fix: ${fix2}`];
  }
  const text = words.join(" ");
  const fix = /^(cluster|vacuum)/.test(text) ? "run it outside the migrations, off-peak (or use pg_repack, which holds the lock only at the end)" : "find what forces the copy (a volatile DEFAULT such as gen_random_uuid() or clock_timestamp(), a GENERATED ... STORED column, an identity column, SET LOGGED/UNLOGGED, SET TABLESPACE) and do it in steps: add a plain column, then backfill it in batches (rb run-script)";
  return ["table-rewrite", `${statementName(words)} rewrites ${relation} into new storage ${under}; fix: ${fix}`];
}
function slowFinding(impact, event, lockLine) {
  const { relation, lock, words, line } = impact;
  const name = statementName(words);
  if (blockedBy(lock) === "nothing")
    return event.kind === "rows" && event.changes ? dataChangeFinding(name, relation) : void 0;
  switch (event.kind) {
    case "rewrite":
      return rewriteFinding(impact, event);
    case "index-build": {
      const what = event.rebuilt ? `rebuilds index ${event.index} of ${relation}` : `builds index ${event.index} on ${relation} without CONCURRENTLY`;
      const wait = `under ${aLock(lock)}: ${blocked(lock)} ${relation} wait until the index is built`;
      const fix = event.constraint ? `CREATE UNIQUE INDEX CONCURRENTLY ${CONCURRENT_FILE}, then ALTER TABLE ... ADD CONSTRAINT ... USING INDEX` : event.rebuilt && words[0] === "reindex" ? `REINDEX ... CONCURRENTLY ${CONCURRENT_FILE}` : `CREATE INDEX CONCURRENTLY ${CONCURRENT_FILE}`;
      return ["non-concurrent-index", `${name} ${what} ${wait}; fix: ${fix}`];
    }
    case "constraint-scan": {
      const kind = event.foreignKey ? "foreign key" : "check constraint";
      const also = event.references ? ` (and looks each one up in ${event.references}, locked too)` : "";
      if (event.recreated) {
        return ["constraint-scan", `${name} recreates ${kind} ${event.constraint} and checks it again by reading every row of ${relation}${also} under ${aLock(lock)}: ${blocked(lock)} ${relation} wait until it is done; fix: drop ${event.constraint} before the change and add it back NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT ${event.constraint} ${AND_LATER} (that scan lets reads and writes through)`];
      }
      return ["constraint-scan", `${name} validates ${kind} ${event.constraint} by reading every row of ${relation}${also} under ${aLock(lock)}: ${blocked(lock)} ${relation} wait until it is done; fix: add it NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT ${event.constraint} ${AND_LATER} (that scan lets reads and writes through)`];
    }
    case "not-null-scan": {
      const columns = event.columns.join(", ");
      const check = event.columns.map((c) => `${c} IS NOT NULL`).join(" AND ");
      return ["not-null-scan", `${name} sets NOT NULL on ${relation} (${columns}) by reading every row under ${aLock(lock)}: ${blocked(lock)} ${relation} wait until it is done; fix: add CHECK (${check}) NOT VALID, VALIDATE CONSTRAINT it ${AND_LATER}, then SET NOT NULL (PostgreSQL 12+ then skips the scan) and drop the check`];
    }
    case "rows": {
      const since = lockLine !== void 0 && lockLine < line ? ` (taken at line ${lockLine})` : "";
      const what = event.writes ? `writes rows of ${relation}` : `reads rows of ${relation}`;
      return ["scan-under-lock", `${name} ${what} while the migration holds ${aLock(lock)} on it${since}: ${blocked(lock)} ${relation} wait until it is done (on a big table, minutes); fix: move it to a migration of its own, or make it a batched backfill (rb run-script), so the lock is not held meanwhile`];
    }
    case "scan": {
      const since = lockLine !== void 0 && lockLine < line ? ` (taken at line ${lockLine})` : "";
      const fix = words[0] === "alter" && words[1] === "domain" ? "add the domain constraint NOT VALID, then VALIDATE CONSTRAINT it in a later migration" : "move it to a migration of its own, or make it a batched backfill (rb run-script), so the lock is not held while it reads every row";
      return ["scan-under-lock", `${name} reads every row of ${relation} while the migration holds ${aLock(lock)} on it${since}: ${blocked(lock)} ${relation} wait until it is done; fix: ${fix}`];
    }
  }
}
function dataChangeFinding(name, relation) {
  return ["data-change", `${name} changes rows of ${relation} inside the migration's transaction: each row it changes stays locked until the migration commits (concurrent UPDATE, DELETE and SELECT FOR UPDATE of those rows wait), and on a big table it is a long transaction and a lot of WAL; fix: for a large table, a batched backfill with rb run-script (each batch commits on its own; see README "Backfills")`];
}
function slowWork(impact) {
  const event = impact.events[0];
  const what = event.kind === "rewrite" ? `rewrites ${impact.relation}` : event.kind === "index-build" ? `builds index ${event.index} on ${impact.relation}` : event.kind === "constraint-scan" ? `validates ${event.constraint} on ${impact.relation}` : event.kind === "not-null-scan" ? `sets NOT NULL on ${impact.relation}` : event.kind === "rows" ? `${event.writes ? "writes" : "reads"} rows of ${impact.relation}` : `reads every row of ${impact.relation}`;
  return `line ${impact.line} (${statementName(impact.words)}) ${what}`;
}
function heldBefore(acquisitions, relation, line) {
  return acquisitions.filter((a) => a.relation === relation && a.line < line).at(-1);
}
function impactFindings(file, impact, levels) {
  const found = [];
  const involved = /* @__PURE__ */ new Set();
  for (const item of impact.impacts) {
    const lockLine = impact.locks.find((l) => l.relation === item.relation)?.line;
    for (const event of item.events) {
      const result = slowFinding(item, event, lockLine);
      if (!result)
        continue;
      found.push({ rule: result[0], line: item.line, message: result[1] });
      involved.add(item.relation);
      if (event.kind === "constraint-scan" && event.references)
        involved.add(event.references);
    }
  }
  for (const lock of impact.locks) {
    const blockingBefore = (line) => {
      const held2 = heldBefore(impact.acquisitions, lock.relation, line);
      return held2 && blockedBy(held2.mode) !== "nothing" ? held2 : void 0;
    };
    const slow = impact.impacts.find((i) => i.relation !== lock.relation && blockingBefore(i.line));
    if (!slow)
      continue;
    const held = blockingBefore(slow.line);
    if (lock.kind === "v") {
      involved.add(lock.relation);
      continue;
    }
    const more = impact.impacts.filter((i) => i.relation !== lock.relation && i.line > held.line && i.line !== slow.line).length;
    found.push({
      rule: "lock-held-during-scan",
      line: held.line,
      message: `${statementName(held.words)} locks ${held.relation} ${lockName(held.mode)} and the lock is held until the migration commits, while ${slowWork(slow)}${more ? ` (and ${more} more slow step(s))` : ""}: ${blocked(held.mode)} ${held.relation} wait that long; fix: move the slow statement into a migration of its own (or a batched backfill, rb run-script), so this lock is released first`
    });
    involved.add(lock.relation);
  }
  for (const lock of impact.locks) {
    if (lock.blocks !== "reads and writes" || involved.has(lock.relation))
      continue;
    found.push({
      rule: "blocking-lock",
      line: lock.line,
      message: `${statementName(lock.words)} takes ${aLock(lock.mode)} on ${lock.relation}: ${blocked(lock.mode)} it wait until the migration commits (nothing slow runs under it; rb upgrade's lock_timeout bounds how long it queues behind running queries)`
    });
  }
  return found.filter((f) => levels[f.rule] !== "off").sort((a, b) => a.line - b.line).map((f) => ({ stage: "impact", rule: f.rule, file, line: f.line, message: f.message, ...levels[f.rule] === "warning" ? { severity: "warning" } : {} }));
}

// dist/check/queries-current.js
import { existsSync as existsSync2 } from "node:fs";
import path2 from "node:path";
async function checkQueriesCurrent(config, serverUrl) {
  if (!existsSync2(path2.join(config.projectDir, PGTYPED_CONFIG_FILE)))
    return { findings: [], files: 0 };
  const result = await generateTypes(config, { check: true, serverUrl: async () => serverUrl });
  const findings = result.problems.map((p) => ({
    stage: "generated",
    rule: "invalid-query",
    file: p.file,
    line: p.line,
    message: `${p.query ? `query ${p.query}: ` : ""}${p.message}`
  }));
  for (const f of result.files) {
    if (f.status === "stale" || f.status === "missing") {
      findings.push({
        stage: "generated",
        rule: "query-types",
        file: f.output,
        message: `${f.status === "missing" ? "missing" : "out of date"}: it differs from what rb types generates from ${f.source}; run rb types and commit the result`
      });
    } else if (f.status === "orphan") {
      findings.push({
        stage: "generated",
        rule: "query-types",
        file: f.output,
        message: `its query file ${f.source} no longer exists; delete it (rb types does)`
      });
    }
  }
  return { findings, files: result.files.filter((f) => f.status !== "orphan").length };
}

// dist/check/lint.js
import { rmSync as rmSync2, writeFileSync as writeFileSync2 } from "node:fs";
import { createRequire } from "node:module";
import path3 from "node:path";
var DEFAULT_SQUAWK_EXCLUDED_RULES = ["require-lock-timeout", "require-statement-timeout"];
function squawkBinary() {
  const require2 = createRequire(import.meta.url);
  const pkg = `@squawk-cli/${process.platform}-${process.arch}`;
  try {
    const launcher = createRequire(require2.resolve("squawk-cli/package.json"));
    return launcher.resolve(`${pkg}/bin/squawk`);
  } catch {
    throw new RbError(`squawk for this platform (${pkg}) is not installed; run npm ci (with optional dependencies) to lint migrations`);
  }
}
async function lintMigrations(migrations, options = {}) {
  const binary = squawkBinary();
  const dir = makeTempDir("check-lint");
  const byTempPath = /* @__PURE__ */ new Map();
  const groups = { transactional: [], standalone: [] };
  try {
    for (const migration of migrations) {
      if (migration.file.directives.baseline || migration.file.directives.imported)
        continue;
      const { up } = migration.file;
      const tempPath = path3.join(dir, migration.file.fileName);
      writeFileSync2(tempPath, "\n".repeat(up.line) + up.sql);
      byTempPath.set(tempPath, migration);
      groups[up.options.transaction === "false" ? "standalone" : "transactional"].push(tempPath);
    }
    const excluded = options.excludedRules ?? DEFAULT_SQUAWK_EXCLUDED_RULES;
    const findings = [];
    for (const [group, paths] of Object.entries(groups)) {
      if (paths.length === 0)
        continue;
      const args = ["--reporter", "json", "--no-error-on-unmatched-pattern"];
      if (excluded.length)
        args.push(`--exclude=${excluded.join(",")}`);
      if (group === "transactional")
        args.push("--assume-in-transaction");
      const result = await runProcess(binary, [...args, ...paths], { cwd: dir });
      if (result.code !== 0 && result.code !== 1) {
        const detail = (result.stderr || result.stdout).trim().split("\n")[0];
        throw new UsageError(`squawk refused to run: ${detail.replace(/^error: /, "")}; check "rb.check.squawkExcludedRules" in package.json (rule names: https://squawkhq.com/docs/rules)`);
      }
      let violations;
      try {
        violations = JSON.parse(result.stdout || "[]");
      } catch {
        throw new RbError(`squawk failed (exit ${result.code}): ${(result.stderr || result.stdout).trim().split("\n")[0]}`);
      }
      const syntaxErrorIn = /* @__PURE__ */ new Set();
      violations.sort((a, b) => a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line);
      for (const violation of violations) {
        const migration = byTempPath.get(path3.resolve(dir, violation.file));
        if (!migration)
          throw new RbError(`squawk reported an unknown file ${violation.file}`);
        if (violation.rule_name === "syntax-error") {
          if (syntaxErrorIn.has(violation.file))
            continue;
          syntaxErrorIn.add(violation.file);
        }
        const help = violation.help ? ` (${violation.help.replace(/\s+/g, " ").replace(/\.$/, "")})` : "";
        findings.push({
          stage: "lint",
          rule: violation.rule_name,
          file: migration.relativePath,
          line: violation.line + 1,
          message: `${violation.message.replace(/\s+/g, " ").replace(/\.$/, "")}${help}`
        });
      }
    }
    return findings.sort((a, b) => a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line);
  } finally {
    rmSync2(dir, { recursive: true, force: true });
  }
}

// dist/check/migration-steps.js
import postgres from "postgres";

// dist/check/impact-probe.js
function changesRows(statement) {
  const [a] = statement.words;
  if (a === "update" || a === "delete" || a === "merge")
    return true;
  return a === "with" && /(?<!\b(for|key)\s+)\b(update|delete|merge)\b/i.test(statement.text);
}
function strongest(modes) {
  return modes.reduce((best, m) => !best || LOCK_MODES.indexOf(m) > LOCK_MODES.indexOf(best) ? m : best, void 0);
}
function runsQuery(statement) {
  const [a, b, c] = statement.words;
  if (["update", "delete", "insert", "merge", "with", "select", "do", "call", "execute", "copy", "refresh", "values", "table"].includes(a))
    return true;
  if (a === "create" && (b === "table" || b === "materialized" || b === "unlogged" || (b === "temp" || b === "temporary") || b === "or" && c === "replace")) {
    return /\bas\s*\(?\s*(select|with|values|table)\b/i.test(statement.text);
  }
  return false;
}
var stateColumns = (definitions) => `
  c.oid, c.relkind::text as kind, c.relfilenode as file,
  (select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object('oid', i.indexrelid, 'name', ic.relname, 'file', ic.relfilenode,
            'constraint', (select con.contype from pg_catalog.pg_constraint con where con.conindid = i.indexrelid and con.conrelid = i.indrelid and con.contype in ('p', 'u', 'x') limit 1))), '[]')
     from pg_catalog.pg_index i join pg_catalog.pg_class ic on ic.oid = i.indexrelid where i.indrelid = c.oid) as indexes,
  (select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object('oid', con.oid, 'name', con.conname, 'type', con.contype, 'validated', con.convalidated,
            'references', con.confrelid, 'definition', ${definitions ? "pg_catalog.pg_get_constraintdef(con.oid)" : "''"})), '[]')
     from pg_catalog.pg_constraint con where con.conrelid = c.oid and con.contype in ('c', 'f')) as constraints,
  (select coalesce(pg_catalog.json_agg(pg_catalog.json_build_object('name', a.attname, 'notNull', a.attnotnull,
            'type', a.atttypid::int8 || ':' || a.atttypmod, 'typeName', pg_catalog.format_type(a.atttypid, a.atttypmod),
            'enum', exists (select from pg_catalog.pg_type t where t.oid = a.atttypid and t.typtype = 'e')) order by a.attnum), '[]')
     from pg_catalog.pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns`;
var indexScansOf = (relation) => `(select coalesce(sum(pg_catalog.pg_stat_get_numscans(i.indexrelid) + pg_catalog.pg_stat_get_xact_numscans(i.indexrelid)), 0)::int
     from pg_catalog.pg_index i where i.indrelid = ${relation})`;
var INITIAL_SQL = `
select null::oid as oid, null as name, null as kind, null::int as scans, null::int as index_scans, pg_catalog.current_setting('track_counts')::bool as counted
union all
select c.oid, n.nspname || '.' || c.relname, c.relkind::text, (pg_catalog.pg_stat_get_numscans(c.oid) + pg_catalog.pg_stat_get_xact_numscans(c.oid))::int,
       ${indexScansOf("c.oid")}, null
from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p', 'm', 'v', 'f')
  and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'
  and not (n.nspname || '.' || c.relname = any($1::text[]))`;
var COMMITTED_SQL = `select ${stateColumns(false)} from pg_catalog.pg_class c where c.oid = any($1::oid[])`;
var AFTER_STATEMENT_SQL = `
with locked as (
  select l.relation, pg_catalog.array_agg(distinct l.mode) as modes
  from pg_catalog.pg_locks l
  where l.locktype = 'relation' and l.pid = pg_catalog.pg_backend_pid() and l.granted and l.relation = any($1::oid[])
  group by l.relation
)
select locked.relation, locked.modes,
       (pg_catalog.pg_stat_get_numscans(locked.relation) + pg_catalog.pg_stat_get_xact_numscans(locked.relation))::int as scans,
       ${indexScansOf("locked.relation")} as "indexScans", s.*
from locked left join lateral (select ${stateColumns(true)} from pg_catalog.pg_class c where c.oid = locked.relation) s on true`;
function modesOf(value) {
  if (Array.isArray(value))
    return value;
  return value.replace(/^\{|\}$/g, "").split(",").filter(Boolean);
}
var ImpactProbe = class _ImpactProbe {
  session;
  committed;
  scansCounted;
  /** Pre-existing relations: name and scan count before the migration. */
  initial;
  /** State after the previous statement, for relations locked so far (null: dropped). */
  current = /* @__PURE__ */ new Map();
  previousModes = /* @__PURE__ */ new Map();
  locks = /* @__PURE__ */ new Map();
  acquisitions = [];
  impacts = [];
  constructor(initial, session, committed, scansCounted) {
    this.session = session;
    this.committed = committed;
    this.scansCounted = scansCounted;
    this.initial = new Map(initial.map((r) => [r.oid, { name: r.name, kind: r.kind, scans: r.scans, indexScans: r.index_scans }]));
  }
  /**
   * Reads the relations that exist before the up runs: call in rb's session right after BEGIN,
   * before the up's first statement. committed: another connection to the same database, which
   * sees the state before the migration while its transaction is open.
   */
  static async start(session, committed) {
    const rows = await session.unsafe(INITIAL_SQL, [TOOLING_TABLES.map(qualified)], PREPARED);
    return new _ImpactProbe(rows.filter((r) => r.oid !== null), session, committed, rows.find((r) => r.oid === null).counted);
  }
  /** True when there is nothing the migration could impact (an empty database). */
  get empty() {
    return this.initial.size === 0;
  }
  /** Reads locks and state after one statement of the up (line: its line in the file). */
  async afterStatement(statement, line) {
    if (this.empty)
      return;
    const rows = await this.session.unsafe(AFTER_STATEMENT_SQL, [[...this.initial.keys()]], PREPARED);
    const firstSeen = rows.map((r) => r.relation).filter((oid) => !this.current.has(oid));
    const committed = firstSeen.length ? await this.committed.unsafe(COMMITTED_SQL, [firstSeen], PREPARED) : [];
    for (const state of committed) {
      const { scans, indexScans } = this.initial.get(state.oid);
      this.current.set(state.oid, { ...state, scans, indexScans });
    }
    for (const row of rows) {
      const oid = row.relation;
      const { name, kind } = this.initial.get(oid);
      const modes = modesOf(row.modes);
      const mode = strongest(modes);
      const known = this.locks.get(oid);
      if (!known || LOCK_MODES.indexOf(mode) > LOCK_MODES.indexOf(known.mode)) {
        const blocks = mode === "RowExclusiveLock" && changesRows(statement) ? "writes of the changed rows" : blockedBy(mode);
        const lock = { relation: name, kind, mode, blocks, line, words: statement.words };
        this.locks.set(oid, lock);
        this.acquisitions.push(lock);
      }
      const before = this.current.get(oid) ?? null;
      const after = row.oid === null || row.oid === void 0 ? null : { ...row, name, scans: row.scans, indexScans: row.indexScans };
      this.current.set(oid, after);
      const newModes = modes.filter((m) => !(this.previousModes.get(oid) ?? []).includes(m));
      this.previousModes.set(oid, modes);
      if (!before || !after)
        continue;
      const events = await this.eventsOf(before, after, runsQuery(statement) ? newModes : void 0, statement);
      if (events.length)
        this.impacts.push({ relation: name, line, words: statement.words, lock: mode, kind, events });
    }
    this.attributeReferencedScans(line);
  }
  async eventsOf(before, after, queryModes, statement) {
    const events = [];
    const scanned = queryModes === void 0 && after.scans > before.scans;
    const beforeColumns = new Map(before.columns.map((c) => [c.name, c]));
    const truncated = statement.words[0] === "truncate";
    if (after.file !== before.file && after.kind !== "v" && after.kind !== "p" && !truncated) {
      const typeChanges = after.columns.filter((c) => beforeColumns.has(c.name) && beforeColumns.get(c.name).type !== c.type).map((c) => ({ column: c.name, from: beforeColumns.get(c.name).type, to: c.typeName, enums: c.enum && beforeColumns.get(c.name).enum }));
      for (const change of typeChanges) {
        const [typid, typmod] = change.from.split(":").map(Number);
        const [{ name }] = await this.session.unsafe("select pg_catalog.format_type($1::oid, $2::int) as name", [typid, typmod]);
        change.from = name;
      }
      events.push({ kind: "rewrite", typeChanges });
    }
    const rewritten = events.length > 0;
    const beforeIndexes = new Map(before.indexes.map((i) => [i.oid, i]));
    const beforeIndexNames = new Set(before.indexes.map((i) => i.name));
    for (const index of after.indexes) {
      const old = beforeIndexes.get(index.oid);
      if (!old) {
        if (rewritten && beforeIndexNames.has(index.name))
          continue;
        events.push({ kind: "index-build", index: index.name, constraint: index.constraint, rebuilt: beforeIndexNames.has(index.name) });
      } else if (old.file !== index.file && !rewritten && !truncated) {
        events.push({ kind: "index-build", index: index.name, constraint: index.constraint, rebuilt: true });
      }
    }
    const beforeConstraints = new Map(before.constraints.map((c) => [c.oid, c]));
    const beforeConstraintNames = new Set(before.constraints.map((c) => c.name));
    const typeChanged = after.columns.some((c) => beforeColumns.has(c.name) && beforeColumns.get(c.name).type !== c.type);
    for (const constraint of after.constraints) {
      const old = beforeConstraints.get(constraint.oid);
      if (!constraint.validated || old && old.validated)
        continue;
      if (rewritten && beforeConstraintNames.has(constraint.name))
        continue;
      if (constraint.type === "f" && this.scansCounted && after.scans === before.scans && after.indexScans === before.indexScans)
        continue;
      const references = constraint.type === "f" ? this.nameOf(constraint.references) : void 0;
      events.push({ kind: "constraint-scan", constraint: constraint.name, foreignKey: constraint.type === "f", references, recreated: typeChanged && beforeConstraintNames.has(constraint.name) });
    }
    const newlyNotNull = after.columns.filter((c) => c.notNull && beforeColumns.has(c.name) && !beforeColumns.get(c.name).notNull).map((c) => c.name);
    if (newlyNotNull.length && !rewritten) {
      const proven = (column) => after.constraints.some((c) => c.type === "c" && c.validated && isNotNullCheck(c.definition, column));
      const scannedColumns = this.scansCounted ? scanned ? newlyNotNull : [] : newlyNotNull.filter((c) => !proven(c));
      if (scannedColumns.length)
        events.push({ kind: "not-null-scan", columns: scannedColumns });
    }
    if (scanned && events.length === 0 && !truncated)
      events.push({ kind: "scan" });
    if (queryModes && events.length === 0) {
      const writes = queryModes.includes("RowExclusiveLock");
      const listedRows = statement.words[0] === "insert" && !/\bselect\b/i.test(statement.text);
      if (writes && !listedRows || queryModes.includes("AccessShareLock"))
        events.push({ kind: "rows", writes, changes: writes && changesRows(statement) });
    }
    return events;
  }
  /** Drops the plain "scan" of a table whose scan a foreign key validated in the same statement explains. */
  attributeReferencedScans(line) {
    const here = this.impacts.filter((i) => i.line === line);
    const referenced = new Set(here.flatMap((i) => i.events.flatMap((e) => e.kind === "constraint-scan" && e.references ? [e.references] : [])));
    for (const impact of here) {
      if (referenced.has(impact.relation) && impact.events.every((e) => e.kind === "scan")) {
        this.impacts.splice(this.impacts.indexOf(impact), 1);
      }
    }
  }
  nameOf(oid) {
    return this.initial.get(Number(oid))?.name;
  }
  report() {
    return {
      impacts: this.impacts,
      locks: [...this.locks.values()].sort((a, b) => a.line - b.line || a.relation.localeCompare(b.relation)),
      acquisitions: this.acquisitions,
      scansCounted: this.scansCounted
    };
  }
};
function isNotNullCheck(definition, column) {
  const name = /^[a-z_][a-z0-9_$]*$/.test(column) ? column : `"${column.replace(/"/g, '""')}"`;
  return definition === `CHECK ((${name} IS NOT NULL))`;
}

// dist/check/snapshot-tracker.js
var CATALOG_OBJECTS = {
  pg_class: ["c", "'pg_class'::regclass::oid", "c.oid"],
  pg_attribute: ["a", "'pg_class'::regclass::oid", "a.attrelid"],
  pg_attrdef: ["d", "'pg_class'::regclass::oid", "d.adrelid"],
  pg_constraint: ["k", "'pg_constraint'::regclass::oid", "k.oid"],
  pg_index: ["i", "'pg_class'::regclass::oid", "i.indrelid"],
  pg_trigger: ["t", "'pg_class'::regclass::oid", "t.tgrelid"],
  pg_policy: ["p", "'pg_class'::regclass::oid", "p.polrelid"],
  pg_rewrite: ["w", "'pg_class'::regclass::oid", "w.ev_class"],
  pg_sequence: ["s", "'pg_class'::regclass::oid", "s.seqrelid"],
  pg_inherits: ["h", "'pg_class'::regclass::oid", "h.inhrelid"],
  pg_type: ["t", "'pg_type'::regclass::oid", "t.oid"],
  pg_enum: ["e", "'pg_type'::regclass::oid", "e.enumtypid"],
  pg_range: ["r", "'pg_type'::regclass::oid", "r.rngtypid"],
  pg_proc: ["p", "'pg_proc'::regclass::oid", "p.oid"],
  pg_description: ["d", "d.classoid", "d.objoid"],
  pg_depend: ["d", "d.classid", "d.objid"],
  pg_namespace: ["n", "'pg_namespace'::regclass::oid", "n.oid"],
  pg_extension: ["e", "'pg_extension'::regclass::oid", "e.oid"],
  pg_collation: ["c", "'pg_collation'::regclass::oid", "c.oid"],
  pg_opclass: ["o", "'pg_opclass'::regclass::oid", "o.oid"],
  pg_opfamily: ["o", "'pg_opfamily'::regclass::oid", "o.oid"],
  pg_operator: ["o", "'pg_operator'::regclass::oid", "o.oid"],
  pg_ts_config: ["t", "'pg_ts_config'::regclass::oid", "t.oid"],
  pg_foreign_server: ["f", "'pg_foreign_server'::regclass::oid", "f.oid"]
};
var USER_OIDS = { pg_class: "c.oid", pg_type: "t.oid", pg_proc: "p.oid", pg_description: "d.objoid" };
var GLOBAL_CATALOGS = ["pg_namespace", "pg_extension", "pg_collation", "pg_opclass", "pg_opfamily", "pg_operator", "pg_ts_config", "pg_foreign_server"];
var ownerOf = (classid, objid) => `case ${classid}
    when 'pg_class'::regclass then (
      select case when c.relnamespace in ('pg_catalog'::regnamespace, 'pg_toast'::regnamespace) or c.relkind = 't' then ''
                  when c.relkind in ('i', 'I') then (select 'r' || i.indrelid from pg_index i where i.indexrelid = c.oid)
                  when c.relkind = 'c' then 't' || c.reltype
                  else 'r' || c.oid end
      from pg_class c where c.oid = ${objid})
    when 'pg_type'::regclass then (
      select case when t.typrelid <> 0 and (select c.relkind from pg_class c where c.oid = t.typrelid) <> 'c' then 'r' || t.typrelid else 't' || t.oid end
      from pg_type t where t.oid = ${objid})
    when 'pg_proc'::regclass then 'f' || ${objid}
    when 'pg_constraint'::regclass then (
      select case when k.conrelid <> 0 then 'r' || k.conrelid when k.contypid <> 0 then 't' || k.contypid else '' end from pg_constraint k where k.oid = ${objid})
    when 'pg_attrdef'::regclass then (select 'r' || d.adrelid from pg_attrdef d where d.oid = ${objid})
    when 'pg_rewrite'::regclass then (select 'r' || w.ev_class from pg_rewrite w where w.oid = ${objid})
    when 'pg_trigger'::regclass then (select 'r' || t.tgrelid from pg_trigger t where t.oid = ${objid})
    when 'pg_policy'::regclass then (select 'r' || p.polrelid from pg_policy p where p.oid = ${objid})
    ${GLOBAL_CATALOGS.map((c) => `when '${c}'::regclass then 'global'`).join("\n    ")}
    else ''
  end`;
var OBSERVE_SQL = `
select 'written' as kind, c.relname::text as name from pg_catalog.pg_class c
where c.oid in (${Object.keys(CATALOG_OBJECTS).map((catalog) => `'pg_catalog.${catalog}'::pg_catalog.regclass`).join(", ")})
  and pg_catalog.pg_stat_get_xact_tuples_inserted(c.oid) + pg_catalog.pg_stat_get_xact_tuples_updated(c.oid) > 0
union all
select 'locked', coalesce(${ownerOf("l.classid", "l.objid")},
                          case l.classid when 'pg_type'::regclass then 't' || l.objid when 'pg_proc'::regclass then 'f' || l.objid
                                         when 'pg_constraint'::regclass then 'constraint' else '' end)
from pg_catalog.pg_locks l
where l.pid = pg_catalog.pg_backend_pid() and l.locktype = 'object' and l.database <> 0
  and l.mode in ('ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')
union all
select 'locked', coalesce(${ownerOf("'pg_class'::regclass", "l.relation")}, 'r' || l.relation)
from pg_catalog.pg_locks l
where l.pid = pg_catalog.pg_backend_pid() and l.locktype = 'relation' and l.database <> 0
  and l.mode in ('ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock')`.replace(/from pg_(class|type|index|constraint|attrdef|rewrite|trigger|policy) /g, "from pg_catalog.pg_$1 ");
function stepChanges(rows, sectionSql) {
  const domains = /\balter\s+domain\b/i.test(sectionSql);
  return {
    written: rows.filter((r) => r.kind === "written").map((r) => r.name),
    locked: rows.filter((r) => r.kind === "locked" && r.name !== "").map((r) => r.name === "constraint" ? domains ? "unknown" : "" : r.name).filter(Boolean)
  };
}
var BOUNDARY_SQL = `
select (pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text::int8 % 4294967296)::text as next,
       (select pg_catalog.md5(pg_catalog.string_agg(oid || ':' || rolname, ',' order by oid)) from pg_roles) as roles`;
function takeSql(catalogs) {
  const hits = catalogs.map((catalog) => {
    const [alias, classid, objid] = CATALOG_OBJECTS[catalog];
    const userOids = USER_OIDS[catalog] ? `${USER_OIDS[catalog]} >= 16384 and ` : "";
    return `select ${classid} as classid, ${objid} as objid from ${catalog} ${alias} where ${userOids}age(${alias}.xmin) <= age($2::xid)`;
  });
  const written = hits.length ? `select ${ownerOf("o.classid", "o.objid")} from (select distinct classid, objid from (${hits.join("\n    union all ")}) h) o` : "select null::text where $2::xid is null and false";
  const leadingCtes = `
written(owner) as (
  ${written}
),
changed(owner) as (select owner from written where owner is not null and owner <> '' union select unnest($3::text[])),
${SCOPE_CTE},
boundary as (${BOUNDARY_SQL})`;
  return snapshotSql({
    ...SCOPED_BY_CTE,
    leadingCtes,
    extraColumns: ", (select next from boundary) as next, (select roles from boundary) as roles, (select global from scope) as global, (select owners from scope) as affected"
  });
}
var SCOPE_CTE = `scope as (
  select coalesce(array_agg(substr(owner, 2)::oid) filter (where owner like 'r%'), '{}') as relations,
         coalesce(array_agg(substr(owner, 2)::oid) filter (where owner like 't%'), '{}') as types,
         coalesce(array_agg(substr(owner, 2)::oid) filter (where owner like 'f%'), '{}') as functions,
         coalesce(bool_or(owner = 'global'), false) as global,
         coalesce(array_agg(owner), '{}') as owners
  from changed where owner is not null and owner <> ''
)`;
var SCOPED_BY_CTE = { relations: "(select relations from scope)", types: "(select types from scope)", functions: "(select functions from scope)" };
var DEPENDENTS_SQL = snapshotSql({
  ...SCOPED_BY_CTE,
  leadingCtes: `
renamed(owner) as (select unnest($2::text[])),
seeds(classid, objid) as (
  select 'pg_class'::regclass::oid, substr(owner, 2)::oid from renamed where owner like 'r%'
  union all select 'pg_class'::regclass, i.indexrelid from pg_index i where i.indrelid in (select substr(owner, 2)::oid from renamed where owner like 'r%')
  union all select 'pg_type'::regclass, t.oid from pg_type t where t.typrelid in (select substr(owner, 2)::oid from renamed where owner like 'r%')
  union all select 'pg_type'::regclass, substr(owner, 2)::oid from renamed where owner like 't%'
  union all select 'pg_proc'::regclass, substr(owner, 2)::oid from renamed where owner like 'f%'
),
dependents(classid, objid, depth) as (
  select d.classid, d.objid, 1 from pg_depend d join seeds s on d.refclassid = s.classid and d.refobjid = s.objid
  union
  select d.classid, d.objid, x.depth + 1 from pg_depend d join dependents x on d.refclassid = x.classid and d.refobjid = x.objid where x.depth < 20
),
changed(owner) as (select distinct ${ownerOf("x.classid", "x.objid")} from dependents x),
${SCOPE_CTE}`,
  extraColumns: ", (select owners from scope) as affected"
});
function printedNames(snapshot, keys) {
  const names = [];
  for (const key of keys) {
    if (key.startsWith("column "))
      names.push(`${key} ${snapshot.get(key).attrs.type}`);
    else if (!/^(constraint|index|trigger|policy|rule) /.test(key))
      names.push(key);
  }
  return names.sort();
}
function serialize(snapshot) {
  return JSON.stringify([...snapshot.values()].sort((a, b) => a.key < b.key ? -1 : 1).map((i) => [i.key, i.parent, Object.entries(i.attrs).sort()]));
}
var SnapshotTracker = class {
  sql;
  verify;
  snapshot;
  owners = /* @__PURE__ */ new Map();
  boundary = "";
  roles = "";
  /** Owners steps since the last snapshot held DDL locks on. */
  locked = /* @__PURE__ */ new Set();
  /** Catalogs steps since the last snapshot wrote. */
  written = /* @__PURE__ */ new Set();
  /** False after a step the tracker could not watch: the next snapshot is a full one. */
  watched = true;
  /** Snapshots read in full / incrementally (for tests and the benchmark). */
  counts = { full: 0, incremental: 0 };
  constructor(sql, verify = process.env.RB_CHECK_VERIFY_SNAPSHOTS === "1") {
    this.sql = sql;
    this.verify = verify;
  }
  /** What a step's transaction changed (read by OBSERVE_SQL right before its COMMIT). */
  observed(changes) {
    for (const catalog of changes.written)
      if (catalog in CATALOG_OBJECTS)
        this.written.add(catalog);
    for (const owner of changes.locked)
      this.locked.add(owner);
  }
  /** A step ran where the tracker could not watch it (through dbmate): the next snapshot is read in full. */
  unwatched() {
    this.watched = false;
  }
  /** The schema now (the returned map is never changed afterwards). */
  async take() {
    let snapshot;
    let next;
    let roles;
    if (this.snapshot && this.watched && !this.locked.has("unknown") && !this.locked.has("global")) {
      const params = [TOOLING_TABLES.map(qualified), this.boundary, [...this.locked]];
      const rows = await this.sql.unsafe(takeSql([...this.written].sort()), params, PREPARED);
      if (rows.length)
        ({ next, roles } = rows[0]);
      if (rows.length && !rows[0].global && roles === this.roles) {
        snapshot = await this.withDependents(this.snapshot, new Set(rows[0].affected), rows);
        this.counts.incremental += 1;
        if (this.verify)
          await this.verifyAgainstFull(snapshot);
      }
    }
    if (!snapshot) {
      if (next === void 0)
        [{ next, roles }] = await this.sql.unsafe(`select * from (${BOUNDARY_SQL}) b`, [], PREPARED);
      snapshot = this.replace(/* @__PURE__ */ new Map(), /* @__PURE__ */ new Set(), await readSnapshotRows(this.sql), true);
      this.counts.full += 1;
    }
    this.snapshot = snapshot;
    this.boundary = next;
    this.roles = roles;
    this.locked.clear();
    this.written.clear();
    this.watched = true;
    return snapshot;
  }
  /**
   * previous with the changed owners read again; when one of them prints differently to others
   * (renamed, a column renamed or retyped), what depends on it is read again too.
   */
  async withDependents(previous, changed, rows) {
    const previousOwners = this.owners;
    const before = /* @__PURE__ */ new Map();
    for (const [key, owner] of previousOwners)
      if (changed.has(owner))
        before.set(owner, [...before.get(owner) ?? [], key]);
    const snapshot = this.replace(previous, changed, rows, false);
    const after = /* @__PURE__ */ new Map();
    for (const row of rows)
      after.set(row.owner, [...after.get(row.owner) ?? [], row.key]);
    const renamed = [...changed].filter((owner) => {
      const old = printedNames(previous, before.get(owner) ?? []);
      const now = new Set(printedNames(snapshot, after.get(owner) ?? []));
      return now.size > 0 && old.some((name) => !now.has(name));
    });
    if (!renamed.length)
      return snapshot;
    const dependents = await this.sql.unsafe(DEPENDENTS_SQL, [TOOLING_TABLES.map(qualified), renamed], PREPARED);
    if (!dependents.length)
      return snapshot;
    return this.replace(snapshot, new Set(dependents[0].affected), dependents, false);
  }
  /** previous without the items of the affected owners (all of them when full), plus rows. */
  replace(previous, affected, rows, full) {
    const snapshot = /* @__PURE__ */ new Map();
    const owners = /* @__PURE__ */ new Map();
    if (!full) {
      for (const [key, item] of previous) {
        const owner = this.owners.get(key);
        if (owner === "" || affected.has(owner))
          continue;
        snapshot.set(key, item);
        owners.set(key, owner);
      }
    }
    for (const row of rows) {
      snapshot.set(row.key, { key: row.key, parent: row.parent, attrs: row.attrs });
      owners.set(row.key, row.owner);
    }
    this.owners = owners;
    return snapshot;
  }
  async verifyAgainstFull(snapshot) {
    const full = await takeSnapshot(this.sql);
    if (serialize(full) === serialize(snapshot))
      return;
    const differing = [.../* @__PURE__ */ new Set([...full.keys(), ...snapshot.keys()])].filter((key) => JSON.stringify(full.get(key)) !== JSON.stringify(snapshot.get(key))).slice(0, 5);
    throw new RbError(`rb check's incremental schema snapshot differs from a full one (RB_CHECK_VERIFY_SNAPSHOTS=1) at ${differing.join("; ")}; this is a bug in rb`, 70);
  }
};

// dist/check/migration-steps.js
async function dbmateStep(url, migration, command) {
  const run = await runMigrations(url, [migration.file], command, { replayToLocate: true });
  if (run.stopped)
    throw new RbError(`dbmate was stopped by ${run.stopped.signal}`);
  if (run.failure?.connectionLost)
    throw failureError(run.failure, `rb check lost the connection to its scratch database: ${describeFailure(run.failure, (p) => p)}`);
  return { ok: !run.failure, failure: run.failure };
}
async function migrateAll(url, migrations) {
  const run = await runMigrations(url, migrations.map((m) => m.file), "migrate", { replayToLocate: true });
  if (run.stopped)
    throw new RbError(`dbmate was stopped by ${run.stopped.signal}`);
  if (run.failure?.connectionLost)
    throw failureError(run.failure, `rb check lost the connection to its scratch database: ${describeFailure(run.failure, (p) => p)}`);
  return run.failure;
}
function dbmateSteps(url) {
  return {
    up: async (migration, options) => ({ ...await dbmateStep(url, migration, "migrate"), ...options?.probe ? { noImpact: "RB_CHECK_STEPS=dbmate runs every step through dbmate" } : {} }),
    down: (migration) => dbmateStep(url, migration, "rollback"),
    close: async () => {
    }
  };
}
function needsDbmate(section) {
  if (section.options.transaction === "false")
    return "transaction:false: it runs outside a transaction, through dbmate";
  const statements = splitStatements(section.sql);
  if (statements.some(isTransactionControl))
    return "it manages its own transactions; it runs through dbmate";
  if (statements.some((s) => s.words[0] === "copy"))
    return "COPY runs through dbmate";
  return void 0;
}
var RESET_SESSION = "close all; set session authorization default; reset all; unlisten *; select pg_catalog.pg_advisory_unlock_all(); discard temp; discard sequences";
var OBSERVE_STATEMENT = "rb_check_observe";
function resultWith(results, column) {
  const list = Array.isArray(results) && results.length && Array.isArray(results[0]) ? results : [results];
  return list.find((r) => r.columns?.some((c) => c.name === column)) ?? [];
}
function sessionSteps(url, options) {
  const { signal } = options;
  const statsFetchConsistency = options.serverVersion >= 15e4;
  let sql;
  let trackingTable = false;
  let observePrepared = false;
  const tracking = qualified(DBMATE_TABLE);
  const session = () => {
    sql ??= postgres(url, connectOptions(url, {
      max: 1,
      connection: {
        application_name: "rb check migrations",
        // What dbmate's driver (lib/pq) sends; a scratch database needs no durable commits.
        datestyle: "ISO, MDY",
        synchronous_commit: "off",
        // PostgreSQL 15+: shared statistics read fresh, not cached for the transaction (the impact probe's scan counts).
        ...statsFetchConsistency ? { stats_fetch_consistency: "none" } : {}
      }
    }));
    return sql;
  };
  signal?.addEventListener("abort", () => void sql?.end({ timeout: 0 }), { once: true });
  const prepareObserve = async (db) => {
    if (observePrepared)
      return;
    const [{ exists }] = await db.unsafe(`select exists (select from pg_catalog.pg_prepared_statements where name = '${OBSERVE_STATEMENT}') as exists`);
    if (!exists)
      await db.unsafe(`prepare ${OBSERVE_STATEMENT} as ${OBSERVE_SQL}`);
    observePrepared = true;
  };
  const ensureTrackingTable = async (db) => {
    if (trackingTable)
      return;
    try {
      await db.unsafe(`create table if not exists ${tracking} (version varchar primary key)`);
    } catch (error) {
      if (error.code !== "3F000")
        throw error;
      await db.unsafe(`create schema if not exists ${DBMATE_TABLE.schema}`);
      await db.unsafe(`create table if not exists ${tracking} (version varchar primary key)`);
    }
    trackingTable = true;
  };
  const lost = (error) => {
    if (signal?.aborted)
      throw error;
    const reason = connectionLossReason(error);
    if (reason)
      throw new ConnectionError(`rb check lost the connection to its scratch database ${maskUrl(url)}: ${reason}`);
    throw asConnectionError(error, url);
  };
  const viaDbmate = async (migration, command) => {
    options.unwatched?.();
    trackingTable = false;
    return dbmateStep(url, migration, command);
  };
  const run = async (migration, kind, probe) => {
    const section = migration.file[kind];
    const command = kind === "up" ? "migrate" : "rollback";
    const reason = needsDbmate(section);
    if (reason)
      return { ...await viaDbmate(migration, command), ...probe ? { noImpact: reason } : {} };
    const db = session();
    const version = migration.file.version;
    const track = kind === "up" ? `insert into ${tracking} (version) values ('${version}')` : `delete from ${tracking} where version = '${version}'`;
    let impact;
    try {
      await prepareObserve(db);
      await ensureTrackingTable(db);
    } catch (error) {
      lost(error);
    }
    try {
      let prober;
      if (probe) {
        await db.unsafe("begin");
        prober = await ImpactProbe.start(db, options.committed());
        if (!prober.empty) {
          for (const statement of splitStatements(section.sql)) {
            await db.unsafe(statement.text);
            await prober.afterStatement(statement, section.line + statement.line);
          }
        }
      }
      const body = prober && !prober.empty ? "" : `${section.sql}
;
`;
      const results = await db.unsafe(`${prober ? "" : "begin;\n"}${body}${track};
execute ${OBSERVE_STATEMENT};
commit;
${RESET_SESSION}`);
      impact = prober?.report();
      options.observed?.(stepChanges(resultWith(results, "kind"), section.sql));
    } catch (error) {
      if (signal?.aborted || connectionLossReason(error))
        lost(error);
      observePrepared = false;
      try {
        await db.unsafe("rollback");
        await db.unsafe(RESET_SESSION);
      } catch (rollbackError) {
        lost(rollbackError);
      }
      const result = await viaDbmate(migration, command);
      return { ...result, ...probe && result.ok ? { noImpact: `running it statement by statement failed (${error.message}) where dbmate succeeded` } : {} };
    }
    return { ok: true, impact };
  };
  return {
    up: (migration, options2) => run(migration, "up", options2?.probe ?? false),
    down: (migration) => run(migration, "down", false),
    close: async () => {
      const open = sql;
      sql = void 0;
      trackingTable = false;
      observePrepared = false;
      await open?.end({ timeout: 5 });
    }
  };
}

// dist/check/round-trip.js
function sqlFailure(migration, failure, rule, lead) {
  const unknown = failure.unknownPosition ? ` (${failure.unknownPosition})` : "";
  return {
    stage: "round-trip",
    rule,
    file: migration.relativePath,
    line: failure.line,
    message: `${lead}: ${failure.message}${failure.sqlState ? ` (SQLSTATE ${failure.sqlState})` : ""}${unknown}`
  };
}
async function checkRoundTrip(migrations, scratch, options) {
  const { signal } = options;
  const findings = [];
  const impacts = [];
  const open = () => connect(scratch.url, { connection: { search_path: "pg_catalog", plan_cache_mode: "force_generic_plan" } });
  let sql = open();
  let tracker = new SnapshotTracker(sql);
  const [{ version }] = await sql`select current_setting('server_version_num')::int as version`;
  const steps = options.steps === "dbmate" ? dbmateSteps(scratch.url) : sessionSteps(scratch.url, {
    signal,
    serverVersion: version,
    committed: () => sql,
    observed: (changes) => tracker.observed(changes),
    unwatched: () => tracker.unwatched()
  });
  const snapshot = () => options.steps === "dbmate" ? takeSnapshot(sql) : tracker.take();
  let checked = 0;
  const rebuildThrough = async (index) => {
    await sql.end({ timeout: 5 });
    await steps.close();
    await scratch.recreate();
    if (index >= 0) {
      const failure = await migrateAll(scratch.url, migrations.slice(0, index + 1));
      if (failure) {
        throw new RbError(`rb check could not rebuild its scratch database through ${migrations[index].file.fileName}: ${failure.message}; the history applied step by step but not in one go (cluster-wide objects such as roles left by an earlier step?)`);
      }
    }
    sql = open();
    tracker = new SnapshotTracker(sql);
  };
  let drifted = false;
  const up = async (migration, probe) => steps.up(migration, { probe });
  try {
    for (let index = 0; index < migrations.length; index++) {
      signal?.throwIfAborted();
      const migration = migrations[index];
      options.onMigration?.(index, migration);
      const reversible = options.roundTrip && !migration.irreversible && !migration.emptyDown;
      let before = reversible ? await snapshot() : void 0;
      let applied = await up(migration, options.impact);
      if (!applied.ok && drifted) {
        await rebuildThrough(index - 1);
        drifted = false;
        before = reversible ? await snapshot() : void 0;
        applied = await up(migration, options.impact);
      }
      if (!applied.ok) {
        const finding = sqlFailure(migration, applied.failure, "up-failed", "the up section fails on a database migrated through the previous migrations");
        if (applied.failure.sqlState === "25001")
          finding.message += '; run it outside a transaction: a file of its own with "-- migrate:up transaction:false"';
        const rest = migrations.length - index - 1;
        if (rest > 0)
          finding.message += `; the ${rest} migration(s) after it were not checked (round trip, impact): fix this one and run rb check again`;
        findings.push(finding);
        return { findings, impacts, checked, allApplied: false, drifted };
      }
      if (options.impact)
        impacts.push({ migration, impact: applied.impact, skipped: applied.noImpact });
      if (!before)
        continue;
      checked += 1;
      const down = await steps.down(migration);
      if (!down.ok) {
        findings.push(sqlFailure(migration, down.failure, "down-failed", "the down section fails right after the up"));
        if (migration.file.down.options.transaction === "false")
          await rebuildThrough(index);
        continue;
      }
      const changes = diffSnapshots(before, await snapshot());
      for (const change of changes) {
        findings.push({
          stage: "round-trip",
          rule: change.reorderedColumns ? "column-order" : change.kind,
          file: migration.relativePath,
          line: migration.file.down.line,
          message: change.text
        });
      }
      const again = await up(migration, false);
      if (!again.ok) {
        if (!changes.length) {
          findings.push(sqlFailure(migration, again.failure, "up-again-failed", "the up section fails after its own down; the down leaves something behind that rb does not compare (data, roles, settings)"));
        }
        await rebuildThrough(index);
      } else if (changes.length) {
        drifted = true;
      }
    }
    return { findings, impacts, checked, allApplied: true, drifted };
  } finally {
    await sql.end({ timeout: 5 });
    await steps.close();
  }
}

// dist/check/well-formed.js
import { existsSync as existsSync3, readdirSync, readFileSync as readFileSync2 } from "node:fs";
import path4 from "node:path";
var SECTION_PROBLEM = /^(?:.*?):(\d+): (.*)$/s;
function checkWellFormed(migrationsDir, projectDir) {
  const findings = [];
  const migrations = [];
  let runnable = true;
  if (!existsSync3(migrationsDir)) {
    const dir = path4.relative(projectDir, migrationsDir) || migrationsDir;
    findings.push({ stage: "well-formed", rule: "no-migrations", file: dir, message: `no migrations directory; create ${dir} (rb new-migration <name> does)` });
    return { findings, migrations, runnable: false };
  }
  const seen = /* @__PURE__ */ new Map();
  for (const fileName of readdirSync(migrationsDir).sort()) {
    if (!fileName.endsWith(".sql"))
      continue;
    const filePath = path4.join(migrationsDir, fileName);
    const relativePath = path4.relative(projectDir, filePath) || filePath;
    const parsedName = parseFileName(fileName);
    if (!parsedName) {
      runnable = false;
      findings.push({
        stage: "well-formed",
        rule: "file-name",
        file: relativePath,
        message: "not a migration file name; rename it to <version>_<name>.sql (digits, an underscore, a name), as rb new-migration writes"
      });
      continue;
    }
    const other = seen.get(versionNumber(parsedName.version));
    if (other) {
      runnable = false;
      findings.push({ stage: "well-formed", rule: "duplicate-version", file: relativePath, message: duplicateVersionProblem(parsedName.version, other) });
      continue;
    }
    seen.set(versionNumber(parsedName.version), fileName);
    let sections;
    try {
      sections = parseMigrationText(readFileSync2(filePath, "utf8"), relativePath);
    } catch (error) {
      if (!(error instanceof UsageError))
        throw error;
      runnable = false;
      const match = SECTION_PROBLEM.exec(error.message);
      findings.push({
        stage: "well-formed",
        rule: "sections",
        file: relativePath,
        line: match ? Number(match[1]) : void 0,
        message: match ? match[2] : error.message
      });
      continue;
    }
    const file = { ...parsedName, fileName, path: filePath, ...sections };
    for (const problem of file.directives.problems) {
      findings.push({ stage: "well-formed", rule: "rb-setting", file: relativePath, line: problem.line, message: problem.message });
    }
    for (const kind of ["up", "down"]) {
      const problem = transactionFalseProblem(file[kind], kind);
      if (problem)
        findings.push({ stage: "well-formed", rule: "transaction-false", file: relativePath, line: problem.line, message: problem.message });
    }
    const mark = file.directives.irreversible;
    const irreversible = mark?.section === "down" ? mark : void 0;
    const emptyDown = isEmptySection(file.down);
    if (mark && mark.section !== "down") {
      findings.push({
        stage: "well-formed",
        rule: "irreversible-place",
        file: relativePath,
        line: mark.line,
        message: "'-- rb:irreversible' belongs in the down section (after '-- migrate:down'), where it says that section cannot undo the up; move it there"
      });
    }
    if (irreversible && !irreversible.reason) {
      findings.push({
        stage: "well-formed",
        rule: "irreversible-reason",
        file: relativePath,
        line: irreversible.line,
        message: "'-- rb:irreversible' needs a reason after it, e.g. '-- rb:irreversible drops user data that cannot be restored'"
      });
    }
    if (emptyDown && !irreversible) {
      findings.push({
        stage: "well-formed",
        rule: "empty-down",
        file: relativePath,
        line: file.down.line,
        message: "the down section is empty, so a rollback would silently keep the up's changes; write SQL that undoes the up, or mark the migration irreversible with a line '-- rb:irreversible <reason>' in the down section"
      });
    }
    migrations.push({ file, relativePath, irreversible, emptyDown });
  }
  migrations.sort((a, b) => compareVersions(a.file.version, b.file.version));
  return { findings, migrations, runnable };
}

// dist/check/run-check.js
function outcome(findings) {
  const warnings = findings.filter(isWarning).length;
  const errors = findings.length - warnings;
  const extra = warnings ? { warnings } : {};
  return errors ? { status: "failed", findings: errors, ...extra } : { status: "passed", ...extra };
}
function withColumnOrderLevel(findings, level) {
  return findings.flatMap((f) => {
    if (f.rule !== "column-order")
      return [f];
    if (level === "off")
      return [];
    return [level === "warning" ? { ...f, severity: "warning" } : f];
  });
}
function summarize(results) {
  return results.flatMap(({ migration, impact, skipped }) => {
    if (skipped)
      return [{ file: migration.relativePath, skipped }];
    if (!impact?.locks.length)
      return [];
    const locks = impact.locks.map((l) => ({ relation: l.relation, mode: lockName(l.mode), blocks: l.blocks, line: l.line }));
    return [{ file: migration.relativePath, locks }];
  });
}
async function runCheck(config, options) {
  const started = performance.now();
  const skip = new Set(options.skip ?? []);
  const progress = options.onProgress ?? (() => {
  });
  const levels = impactLevels(config.check.impactRules);
  const stages = {};
  const leftOut = options.leftOutBy === "--only" ? "not in --only" : "left out with --skip";
  for (const stage of CHECK_STAGES)
    stages[stage] = { status: "skipped", reason: leftOut };
  const findings = [];
  progress({ step: "well-formed" });
  const wellFormed = checkWellFormed(config.migrationsDir, config.projectDir);
  if (!skip.has("well-formed")) {
    findings.push(...wellFormed.findings);
    stages["well-formed"] = outcome(wellFormed.findings);
  }
  const { migrations } = wellFormed;
  let roundTripChecked = 0;
  let impactResults = [];
  if (!skip.has("lint")) {
    progress({ step: "lint" });
    const lint = await lintMigrations(migrations, { excludedRules: config.check.squawkExcludedRules ?? DEFAULT_SQUAWK_EXCLUDED_RULES });
    findings.push(...lint);
    stages.lint = outcome(lint);
  }
  const roundTrip = !skip.has("round-trip");
  const impact = !skip.has("impact");
  const needDatabase = roundTrip || impact || !skip.has("generated");
  if (needDatabase && !wellFormed.runnable) {
    const reason = "a migration file is malformed (see well-formed); fix it first";
    for (const stage of ["round-trip", "impact", "generated"])
      if (!skip.has(stage))
        stages[stage] = { status: "skipped", reason };
  } else if (needDatabase) {
    progress({ step: "scratch database" });
    const scratch = await createScratchDatabase(options.serverUrl);
    const migrateFresh = async (fresh) => {
      if (fresh)
        await scratch.recreate();
      progress({ step: "migrate", total: migrations.length });
      return !await migrateAll(scratch.url, migrations);
    };
    try {
      let allApplied;
      if (roundTrip || impact) {
        const step = [roundTrip && "round-trip", impact && "impact"].filter(Boolean).join(" and ");
        const result = await checkRoundTrip(migrations, scratch, {
          roundTrip,
          impact,
          steps: options.steps,
          signal: options.signal,
          onMigration: (index, migration) => progress({ step, index: index + 1, total: migrations.length, file: migration.file.fileName })
        });
        allApplied = result.allApplied;
        if (roundTrip) {
          const own = withColumnOrderLevel(result.findings, config.check.columnOrder ?? "warning");
          findings.push(...own);
          stages["round-trip"] = outcome(own);
          roundTripChecked = result.checked;
        } else {
          findings.push(...result.findings.map((f) => ({ ...f, stage: "impact" })));
        }
        if (impact) {
          impactResults = result.impacts;
          const own = result.impacts.flatMap((r) => r.impact ? impactFindings(r.migration.relativePath, r.impact, levels) : []);
          findings.push(...own);
          stages.impact = outcome(roundTrip ? own : [...own, ...result.findings]);
          if (options.steps === "dbmate" && own.length === 0 && stages.impact.status === "passed") {
            stages.impact = { status: "skipped", reason: "RB_CHECK_STEPS=dbmate runs every step through dbmate, outside rb's transaction" };
          }
        }
        if (allApplied && result.drifted && !skip.has("generated"))
          allApplied = await migrateFresh(true);
      } else {
        allApplied = await migrateFresh(false);
      }
      if (!skip.has("generated")) {
        if (allApplied) {
          progress({ step: "schema dump" });
          const generated = await checkSchemaFileCurrent(config, scratch.url);
          progress({ step: "query types" });
          generated.push(...(await checkQueriesCurrent(config, options.serverUrl)).findings);
          findings.push(...generated);
          stages.generated = outcome(generated);
        } else {
          stages.generated = { status: "skipped", reason: "the migrations do not all apply on an empty database" };
        }
      }
    } finally {
      await scratch.drop();
    }
  }
  findings.sort((a, b) => CHECK_STAGES.indexOf(a.stage) - CHECK_STAGES.indexOf(b.stage));
  return {
    ok: !findings.some((f) => !isWarning(f)),
    migrations: migrations.length,
    findings,
    stages,
    roundTripChecked,
    impactChecked: impactResults.filter((r) => r.impact).length,
    impact: summarize(impactResults),
    durationMs: Math.round(performance.now() - started)
  };
}

// dist/commands/check-command.js
var CheckFailedError = class extends RbError {
};
function stageList(flag, value) {
  if (value === void 0)
    return [];
  const names = (Array.isArray(value) ? value : [value]).flatMap((v) => (v === 0 ? "" : String(v)).split(",")).map((v) => v.trim()).filter(Boolean);
  const known = new Set(CHECK_STAGES);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) {
    throw new UsageError(`${flag} ${unknown.join(",")}: unknown stage; use a comma-separated list of ${CHECK_STAGES.join(", ")}`);
  }
  return names;
}
function parseSkip(value) {
  return stageList("--skip", value);
}
function stagesToSkip(flags) {
  if (flags.only === void 0)
    return parseSkip(flags.skip);
  if (flags.skip !== void 0)
    throw new UsageError("--only and --skip together: use one of them");
  const only = stageList("--only", flags.only);
  if (!only.length)
    throw new UsageError(`--only needs a stage: ${CHECK_STAGES.join(", ")}`);
  return CHECK_STAGES.filter((stage) => !only.includes(stage));
}
function stepsSetting(env) {
  const value = env.RB_CHECK_STEPS;
  if (value === void 0 || value === "" || value === "session")
    return "session";
  if (value === "dbmate")
    return "dbmate";
  throw new UsageError(`RB_CHECK_STEPS=${value}: use "session" (the default) or "dbmate" (every step a dbmate process, slower)`);
}
function stageSummary(result) {
  return CHECK_STAGES.map((stage) => {
    const o = result.stages[stage];
    const warnings = o.status !== "skipped" && o.warnings ? `, ${o.warnings} warning(s)` : "";
    if (o.status === "passed") {
      if (stage === "round-trip")
        return `${stage} ok (${result.roundTripChecked} down(s) checked${warnings})`;
      if (stage === "impact")
        return `${stage} ok (${result.impactChecked} up(s) read${warnings})`;
      return `${stage} ok${warnings ? ` (${warnings.slice(2)})` : ""}`;
    }
    if (o.status === "failed" && (stage === "round-trip" || stage === "impact")) {
      const first = result.findings.find((f) => f.stage === stage && !isWarning(f))?.file ?? "";
      return `${stage} ${o.findings} problem(s)${warnings} (first: ${path5.basename(first)})`;
    }
    if (o.status === "failed")
      return `${stage} ${o.findings} problem(s)${warnings}`;
    return `${stage} skipped (${o.reason})`;
  }).join(", ");
}
function progressText(p) {
  if (p.index !== void 0)
    return `${p.step}: migration ${p.index} of ${p.total} (${p.file})`;
  if (p.step === "migrate")
    return `migrating the scratch database (${p.total} migration(s))`;
  return p.step;
}
async function checkCommand(flags, io) {
  if (flags.prod)
    throw new UsageError("rb check never touches production: it works on a scratch database; drop --prod");
  const skip = stagesToSkip(flags);
  const steps = stepsSetting(process.env);
  const { config, target } = await configAndTarget(flags, io);
  await refuseProductionServer(target, "check", "create its scratch database");
  const progress = progressLine("rb check: ");
  let result;
  try {
    result = await interruptible(async ({ signal }) => {
      const stopped = () => {
        const stop = stopSignalOf(signal);
        return new InterruptedError(`rb check stopped by ${stop}; its scratch database was dropped, nothing else was changed`, stop);
      };
      let checked;
      try {
        checked = await runCheck(config, {
          serverUrl: target.url,
          skip,
          leftOutBy: flags.only === void 0 ? "--skip" : "--only",
          signal,
          steps,
          onProgress: (p) => progress.update(progressText(p))
        });
      } catch (error) {
        if (!signal.aborted)
          throw error;
        throw stopped();
      }
      if (signal.aborted)
        throw stopped();
      return checked;
    });
  } finally {
    progress.done();
  }
  if (flags.json) {
    io.out(JSON.stringify({ ...result, findings: result.findings.map((f) => ({ ...f, severity: f.severity ?? "error", text: formatFinding(f) })) }, null, 2));
  } else {
    for (const finding of result.findings)
      io.out(formatFinding(finding));
    const seconds = (result.durationMs / 1e3).toFixed(1);
    const errors = result.findings.filter((f) => !isWarning(f)).length;
    const warnings = result.findings.length - errors;
    const total = `${errors ? `${errors} problem(s)` : "no problems"}${warnings ? `, ${warnings} warning(s)` : ""}`;
    io.out(`rb check: ${result.migrations} migration(s); ${stageSummary(result)}; ${total} (${seconds} s)`);
  }
  if (!result.ok) {
    const errors = result.findings.filter((f) => !isWarning(f)).length;
    throw new CheckFailedError(`check failed: ${errors} problem(s); see ${flags.json ? "the findings in the JSON output" : "the lines above"}`);
  }
}
export {
  CheckFailedError,
  checkCommand,
  parseSkip,
  stagesToSkip
};
