import {
  lockEffect,
  lockStrength
} from "./chunk-MRCRL37S.js";
import {
  connectMaintenance,
  countRows,
  dropLeftoverDatabases,
  workDatabaseName
} from "./chunk-CY3XE7R3.js";
import {
  copyPropertiesStatements,
  readDatabaseProperties
} from "./chunk-XHXONIPQ.js";
import {
  thisRun
} from "./chunk-74N242QX.js";
import {
  describeMigrationEvent
} from "./chunk-H5OCRQ32.js";
import "./chunk-BD5HN5VJ.js";
import {
  runBatch
} from "./chunk-F2VM4MHE.js";
import {
  upgrade
} from "./chunk-CXK23MUU.js";
import {
  migrationSessions
} from "./chunk-75RHIA2Z.js";
import "./chunk-AJG3EPZD.js";
import "./chunk-HCAWX5Z5.js";
import "./chunk-MDXE5UZ2.js";
import {
  describeFailure
} from "./chunk-H26FYK5V.js";
import {
  resolveTimeoutSettings
} from "./chunk-LHYBNGSH.js";
import {
  dbmateSessionName
} from "./chunk-J3NTZTBQ.js";
import "./chunk-2M3JEVIH.js";
import {
  configAndTarget,
  targetLabel
} from "./chunk-X6FAZUW5.js";
import {
  identifyTarget
} from "./chunk-LWDHCSGX.js";
import {
  cancelBackend,
  interruptible,
  stopSignalOf
} from "./chunk-NMHWLE4Q.js";
import {
  isToolingTable
} from "./chunk-IUNTMCXC.js";
import {
  quoteIdent
} from "./chunk-HJV3SOPZ.js";
import {
  readMigrations
} from "./chunk-LC5NCFF3.js";
import "./chunk-7U3JJN2P.js";
import {
  splitStatements
} from "./chunk-GX35TSEW.js";
import "./chunk-APFTIODY.js";
import {
  asConnectionError,
  connect
} from "./chunk-EKB3CR5R.js";
import {
  describeUrl,
  parseDatabaseUrl,
  withDatabase
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

// dist/analyze/analyze-upgrade.js
import { performance as performance3 } from "node:perf_hooks";

// dist/analyze/database-copy.js
import os from "node:os";
import { performance } from "node:perf_hooks";
async function otherSessions(admin, database) {
  const rows = await admin`
    select pid, application_name as application, usename as user, host(client_addr) as client, state,
           floor(extract(epoch from now() - coalesce(query_start, backend_start)))::int as seconds,
           left(regexp_replace(query, '\\s+', ' ', 'g'), 60) as query
      from pg_stat_activity
     where datname = ${database} and pid <> pg_backend_pid() and backend_type = 'client backend'`;
  return rows;
}
function describe(session) {
  const who = [session.application, `${session.user}@${session.client ?? "local socket"}`].filter(Boolean).join(", ");
  return `pid ${session.pid} (${who}; ${session.state ?? "state hidden"} for ${session.seconds}s${session.query ? `: ${session.query}` : ""})`;
}
var sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
var ATTEMPTS = 5;
async function clearSessions(admin, database, options, ended) {
  const maxWaitMs = options.maxWaitMs ?? 3e4;
  const started = performance.now();
  let reported = false;
  for (; ; ) {
    const sessions = await otherSessions(admin, database);
    const busy = sessions.filter((x) => x.state !== "idle");
    for (const s of sessions.filter((x) => x.state === "idle")) {
      let terminated;
      try {
        [{ terminated }] = await admin`select pg_terminate_backend(${s.pid}) as terminated`;
      } catch (error) {
        if (error.code !== "42501")
          throw error;
        busy.push(s);
        continue;
      }
      if (!terminated)
        continue;
      ended.push({ pid: s.pid, application: s.application, user: s.user, client: s.client });
      options.onProgress?.(`ended idle session pid ${s.pid} (${[s.application, `${s.user}@${s.client ?? "local socket"}`].filter(Boolean).join(", ")}) on ${database} to copy it`);
    }
    if (busy.length === 0)
      return;
    const waited = performance.now() - started;
    if (waited > maxWaitMs) {
      throw new RbError(`cannot copy ${database}: ${busy.length} session(s) on it stayed busy for ${Math.round(waited / 1e3)}s, or belong to a role rb may not end (${busy.map(describe).join("; ")}), and CREATE DATABASE ... TEMPLATE needs the database to itself; let them finish (or end them) and run rb upgrade --dry-run --analyze again; nothing was changed`);
    }
    if (!reported && waited > 1e3) {
      reported = true;
      options.onProgress?.(`waiting for ${busy.length} busy session(s) on ${database} to finish before copying it: ${busy.map(describe).join("; ")}`);
    }
    if (options.signal?.aborted)
      throw new InterruptedError("stopped before the copy was made", stopSignalOf(options.signal));
    await sleep(100);
  }
}
async function copyLocalDatabase(localUrl, localName, options = {}) {
  const admin = await connectMaintenance(localUrl, localName);
  const name = workDatabaseName(localName, "analyze");
  let created = false;
  const drop = async () => {
    try {
      await admin.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
    } finally {
      await admin.end({ timeout: 5 });
    }
  };
  try {
    const leftovers = await dropLeftoverDatabases(admin);
    for (const l of leftovers.dropped)
      options.onProgress?.(`dropped ${l.name}, left by an earlier run whose process (pid ${l.owner.pid}) is gone`);
    for (const l of leftovers.otherHost)
      options.onProgress?.(`left ${l.name} alone: a run on another host made it (${l.note ?? "no note"}); once that run is over, drop it with: DROP DATABASE "${l.name}"`);
    const properties = await readDatabaseProperties(admin, localName);
    if (!properties)
      throw new RbError(`the local database ${localName} does not exist; run rb upgrade to create and migrate it`);
    const [server] = await admin`select current_setting('server_version_num')::int as version, pg_backend_pid() as pid`;
    const strategy = server.version >= 15e4 ? " strategy = file_copy" : "";
    let seconds2 = 0;
    const ended = [];
    const cancel = () => void cancelBackend(withDatabase(localUrl, "postgres"), server.pid).catch(() => void 0);
    options.signal?.addEventListener("abort", cancel);
    try {
      for (let attempt = 1; ; attempt += 1) {
        await clearSessions(admin, localName, options, ended);
        const started = performance.now();
        try {
          await admin.unsafe(`create database ${quoteIdent(name)} template ${quoteIdent(localName)} owner ${quoteIdent(properties.owner)}${strategy}`);
          created = true;
          break;
        } catch (error) {
          const e = error;
          if (options.signal?.aborted)
            throw new InterruptedError("stopped while the copy was made", stopSignalOf(options.signal));
          if (e.code === "42501") {
            throw new RbError(`copying ${localName} needs a role that may create databases and owns ${localName} (or a superuser): ${e.message}; nothing was changed`);
          }
          if (e.code !== "55006" || attempt === ATTEMPTS)
            throw error;
        } finally {
          seconds2 += (performance.now() - started) / 1e3;
        }
      }
    } finally {
      options.signal?.removeEventListener("abort", cancel);
    }
    const note = `rb upgrade --dry-run --analyze copy of ${localName} by pid ${thisRun.pid} on host ${os.hostname()}, started ${(/* @__PURE__ */ new Date()).toISOString()}; dropped when the analysis ends, or by a later analyze or restore if this run died`;
    await admin.unsafe(`comment on database ${quoteIdent(name)} is '${note.replace(/'/g, "''")}'`);
    for (const statement of copyPropertiesStatements(name, properties))
      await admin.unsafe(statement);
    return { name, url: withDatabase(localUrl, name), seconds: seconds2, endedSessions: ended, leftovers, drop };
  } catch (error) {
    if (created)
      await drop();
    else
      await admin.end({ timeout: 5 });
    throw error;
  }
}

// dist/analyze/lock-sampler.js
import { performance as performance2 } from "node:perf_hooks";
var SAMPLE_INTERVAL_MS = 5;
var sleep2 = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function startLockSampler(url, applicationName) {
  const sql = connect(url, { connection: { application_name: "rb analyze (lock sampler)" } });
  const open = /* @__PURE__ */ new Map();
  const held = /* @__PURE__ */ new Map();
  const close = (key, at) => {
    const lock = open.get(key);
    open.delete(key);
    const total = held.get(key) ?? { oid: lock.oid, mode: lock.mode, heldMs: 0 };
    total.heldMs += at - lock.since;
    held.set(key, total);
  };
  let running = true;
  let failure;
  const loop = (async () => {
    while (running) {
      const rows = await sql`
        select l.relation::int8 as oid, l.mode
          from pg_locks l join pg_stat_activity a on a.pid = l.pid
         where a.application_name = ${applicationName} and a.datname = current_database()
           and l.locktype = 'relation' and l.granted and l.database = (select oid from pg_database where datname = current_database())`;
      const now = performance2.now();
      const seen = /* @__PURE__ */ new Set();
      for (const row of rows) {
        const key = `${row.oid} ${row.mode}`;
        seen.add(key);
        if (!open.has(key))
          open.set(key, { oid: Number(row.oid), mode: row.mode, since: now });
      }
      for (const key of [...open.keys()])
        if (!seen.has(key))
          close(key, now);
      await sleep2(SAMPLE_INTERVAL_MS);
    }
  })().catch((error) => {
    failure = error;
  });
  return {
    async stop() {
      running = false;
      try {
        await loop;
      } finally {
        await sql.end({ timeout: 5 });
      }
      if (failure)
        throw failure;
      const now = performance2.now();
      for (const key of [...open.keys()])
        close(key, now);
      return [...held.values()];
    }
  };
}

// dist/analyze/lock-trace.js
var STATEMENT_BUDGET = "1s";
var TRANSACTION_CONTROL = /* @__PURE__ */ new Set(["begin", "start", "commit", "end", "rollback", "abort", "savepoint", "release", "prepare"]);
var TRACED = /* @__PURE__ */ new Set(["create", "alter", "drop", "comment", "grant", "revoke", "truncate", "lock", "set", "reset", "reindex", "cluster", "security"]);
async function traceLocks(url, section) {
  const statements = splitStatements(section.sql);
  if (statements.some((s) => TRANSACTION_CONTROL.has(s.words[0] ?? "")))
    return [];
  const sql = connect(url, { connection: { application_name: "rb analyze (lock trace)" } });
  const locks = /* @__PURE__ */ new Map();
  try {
    const session = await sql.reserve();
    try {
      await session.unsafe("begin");
      await session.unsafe(`set local statement_timeout = '${STATEMENT_BUDGET}'`);
      for (const statement of statements) {
        if (!TRACED.has(statement.words[0] ?? ""))
          continue;
        try {
          await session.unsafe(statement.text);
        } catch {
          break;
        }
        const held = await session`
          select relation::int8 as oid, mode from pg_locks
           where pid = pg_backend_pid() and locktype = 'relation' and granted
             and database = (select oid from pg_database where datname = current_database())`;
        for (const row of held) {
          const key = `${row.oid} ${row.mode}`;
          if (!locks.has(key))
            locks.set(key, { oid: Number(row.oid), mode: row.mode, line: section.line + statement.line });
        }
      }
    } finally {
      await session.unsafe("rollback").catch(() => void 0);
      session.release();
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
  return [...locks.values()];
}

// dist/analyze/relation-states.js
function tableName(table) {
  return `${table.schema}.${table.name}`;
}
async function readTableStates(sql) {
  const rows = await sql`
    select c.oid::int8 as oid, n.nspname as schema, c.relname as name, pg_relation_filenode(c.oid)::int8 as filenode,
           pg_total_relation_size(c.oid) as bytes,
           coalesce(s.n_tup_ins, 0) as ins, coalesce(s.n_tup_upd, 0) as upd, coalesce(s.n_tup_del, 0) as del
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      left join pg_stat_user_tables s on s.relid = c.oid
     where c.relkind in ('r', 'p', 'm') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'`;
  const states = /* @__PURE__ */ new Map();
  for (const r of rows) {
    if (isToolingTable(r.schema, r.name))
      continue;
    states.set(Number(r.oid), {
      oid: Number(r.oid),
      schema: r.schema,
      name: r.name,
      filenode: r.filenode === null ? null : Number(r.filenode),
      bytes: Number(r.bytes),
      inserted: Number(r.ins),
      updated: Number(r.upd),
      deleted: Number(r.del)
    });
  }
  return states;
}

// dist/analyze/analyze-upgrade.js
async function refuseProduction(target) {
  await identifyTarget(target);
  const where = `${target.source} (${describeUrl(target.url)})`;
  if (target.isProduction) {
    throw new RefusedError(`${where} is production's database (${target.identity?.reason ?? "PROD_DATABASE_URL"}); rb upgrade --dry-run --analyze copies the local database and never touches production: point ${target.source} at a local database, or unset it to use the embedded server`);
  }
  if (target.identity?.basis === "address") {
    throw new RefusedError(`cannot tell whether ${where} is production's database: PROD_DATABASE_URL did not answer (${target.identity.unreachable}); --analyze copies only a database it can tell apart from production: make PROD_DATABASE_URL reachable, or leave it empty for this command (PROD_DATABASE_URL= rb upgrade --dry-run --analyze)`);
  }
}
var sleep3 = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitForSessionEnd(sql, applicationName) {
  for (let waited = 0; waited < 2e3; waited += 10) {
    if ((await migrationSessions(sql, applicationName)).length === 0)
      return;
    await sleep3(10);
  }
}
async function describeTables(sql, before, after, locked) {
  const reports = [];
  const rewritten = [];
  for (const oid of /* @__PURE__ */ new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(oid);
    const a = after.get(oid);
    const rows = { inserted: (a?.inserted ?? 0) - (b?.inserted ?? 0), updated: (a?.updated ?? 0) - (b?.updated ?? 0), deleted: (a?.deleted ?? 0) - (b?.deleted ?? 0) };
    let change;
    if (!b)
      change = "created";
    else if (!a)
      change = "dropped";
    else if (a.filenode !== b.filenode)
      change = "rewritten";
    else if (rows.inserted || rows.updated || rows.deleted)
      change = "rows changed";
    else if (locked.has(oid))
      change = "locked only";
    else
      continue;
    if (change === "rewritten")
      rewritten.push(a);
    reports.push({ table: tableName(a ?? b), change, ...rows, bytesBefore: b?.bytes ?? null, bytesAfter: a?.bytes ?? null });
  }
  const counts = await countRows(sql, rewritten);
  for (const report of reports)
    if (report.change === "rewritten")
      report.rewrittenRows = counts.get(report.table);
  return reports.sort((x, y) => x.table < y.table ? -1 : x.table > y.table ? 1 : 0);
}
function describeLocks(sampled, traced, before) {
  const reports = /* @__PURE__ */ new Map();
  for (const lock of [...traced, ...sampled]) {
    const table = before.get(lock.oid);
    if (!table)
      continue;
    const key = `${lock.oid} ${lock.mode}`;
    const report = reports.get(key) ?? { table: tableName(table), mode: lock.mode, heldSeconds: null };
    if ("line" in lock)
      report.line = lock.line;
    if ("heldMs" in lock)
      report.heldSeconds = lock.heldMs / 1e3;
    reports.set(key, report);
  }
  const sorted = [...reports.values()].sort((x, y) => lockStrength(y.mode) - lockStrength(x.mode) || (x.table < y.table ? -1 : x.table > y.table ? 1 : 0));
  const longest = /* @__PURE__ */ new Map();
  return sorted.filter((lock) => {
    const held = lock.heldSeconds ?? 0;
    if (held <= (longest.get(lock.table) ?? -1))
      return false;
    longest.set(lock.table, held);
    return true;
  });
}
async function analyzeOne(sql, copyUrl, file, config, options) {
  const before = await readTableStates(sql);
  const traced = file.up.options.transaction === "false" ? [] : await traceLocks(copyUrl, file.up);
  const sampler = startLockSampler(copyUrl, dbmateSessionName());
  const started = performance3.now();
  let outcome;
  let sampled;
  try {
    const settings = file.up.options.transaction === "false" ? { ...options.timeouts, lockRetries: 0 } : options.timeouts;
    outcome = await runBatch(copyUrl, [file], "migrate", settings, { signal: options.signal, onRetry: options.onRetry });
  } finally {
    sampled = await sampler.stop();
  }
  const seconds2 = (performance3.now() - started) / 1e3;
  if (outcome.stopped) {
    const signal = options.signal ? stopSignalOf(options.signal) : outcome.stopped.signal === "SIGTERM" ? "SIGTERM" : "SIGINT";
    throw new InterruptedError(`stopped (${signal}) while ${file.fileName} ran on the copy`, signal);
  }
  await waitForSessionEnd(sql, dbmateSessionName());
  const after = await readTableStates(sql);
  const analysis = {
    fileName: file.fileName,
    seconds: seconds2,
    locks: describeLocks(sampled, traced, before),
    tables: await describeTables(sql, before, after, new Set([...sampled, ...traced].map((l) => l.oid)))
  };
  if (outcome.failure)
    analysis.failure = describeFailure(outcome.failure.failure, (p) => relativeToProject(config, p));
  return analysis;
}
async function analyzeUpgrade(config, target, options) {
  await refuseProduction(target);
  const plan = await upgrade(config, target, {
    dryRun: true,
    confirm: async () => null,
    // a dry run asks nothing
    allowEdited: options.allowEdited,
    allowOutOfOrder: options.allowOutOfOrder,
    timeouts: options.timeouts
  });
  if (plan.applied.length === 0)
    return void 0;
  const files = readMigrations(config.migrationsDir, plan.applied, config.projectDir);
  const localName = parseDatabaseUrl(target.url).database;
  let copy;
  try {
    options.onProgress?.(`copying ${localName} to a throwaway database...`);
    copy = await copyLocalDatabase(target.url, localName, { signal: options.signal, onProgress: options.onProgress });
    const result = {
      database: describeUrl(target.url),
      outOfOrder: plan.outOfOrder.map((e) => e.fileName),
      copy: copy.name,
      copySeconds: copy.seconds,
      endedSessions: copy.endedSessions,
      droppedLeftovers: copy.leftovers.dropped,
      migrations: [],
      notRun: []
    };
    const sql = connect(copy.url, { connection: { application_name: "rb analyze" } });
    try {
      for (const [index, file] of files.entries()) {
        if (options.signal?.aborted)
          throw new InterruptedError(`stopped before ${file.fileName}`, stopSignalOf(options.signal));
        options.onProgress?.(`running ${file.fileName} on ${copy.name}...`);
        const analysis = await analyzeOne(sql, copy.url, file, config, options);
        result.migrations.push(analysis);
        if (analysis.failure) {
          result.notRun = files.slice(index + 1).map((f) => f.fileName);
          break;
        }
      }
    } finally {
      await sql.end({ timeout: 5 });
    }
    return result;
  } catch (error) {
    const dropped = copy ? "the copy was dropped" : "no copy was left";
    if (error instanceof InterruptedError) {
      throw new InterruptedError(`rb upgrade --dry-run --analyze ${error.message}; ${dropped} and the local database was not changed`, error.signal);
    }
    const failure = asConnectionError(error, target.url);
    const e = failure;
    if (e.name === "PostgresError") {
      throw new RbError(`rb upgrade --dry-run --analyze failed on ${copy?.name ?? "the copy"}: ${e.message} (SQLSTATE ${e.code}); ${dropped} and the local database was not changed`);
    }
    throw failure;
  } finally {
    await copy?.drop();
  }
}
function failedOnCopy(analysis, notRun) {
  const rest = notRun.length ? `; ${notRun.length} later migration(s) not run` : "";
  return new MigrationError(`${analysis.failure}; ${analysis.fileName} fails on a copy of the local database (its data), so rb upgrade would fail the same way${rest}; the local database was not changed`);
}

// dist/commands/analyze-command.js
function formatBytes(bytes) {
  const units = ["bytes", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (unit < units.length - 1 && Math.abs(value) >= 10 * 1024) {
    value /= 1024;
    unit += 1;
  }
  return `${Math.round(value)} ${units[unit]}`;
}
var seconds = (s) => `${s.toFixed(2)} s`;
var count = (n) => n.toLocaleString("en-US");
function tableLine(t) {
  const rows = [t.inserted && `${count(t.inserted)} inserted`, t.updated && `${count(t.updated)} updated`, t.deleted && `${count(t.deleted)} deleted`].filter(Boolean).join(", ");
  const size = t.bytesBefore === null ? formatBytes(t.bytesAfter) : t.bytesAfter === null ? `was ${formatBytes(t.bytesBefore)}` : t.bytesBefore === t.bytesAfter ? `${formatBytes(t.bytesAfter)}, size unchanged` : formatBytes(t.bytesBefore) === formatBytes(t.bytesAfter) ? `${formatBytes(t.bytesAfter)} (${t.bytesAfter > t.bytesBefore ? "+" : "-"}${formatBytes(Math.abs(t.bytesAfter - t.bytesBefore))})` : `${formatBytes(t.bytesBefore)} -> ${formatBytes(t.bytesAfter)}`;
  const what = {
    created: "created",
    dropped: "dropped",
    rewritten: `rewritten, ${count(t.rewrittenRows ?? 0)} row(s) written again${rows ? ` (rows ${rows})` : ""}`,
    "rows changed": `rows ${rows}`,
    "locked only": "no rows changed"
  }[t.change];
  return `  table ${t.table}: ${what}; ${size}`;
}
function analysisLines(analysis) {
  const lines = [`Would apply: ${analysis.fileName}  ${seconds(analysis.seconds)}${analysis.failure ? " (FAILED on the copy)" : ""}`];
  for (const lock of analysis.locks) {
    const taken = lock.line ? ` (line ${lock.line})` : "";
    const held = lock.heldSeconds === null ? "briefly" : seconds(lock.heldSeconds);
    lines.push(`  lock  ${lock.mode} on ${lock.table}${taken}, held ${held} (${lockEffect(lock.mode)})`);
  }
  for (const table of analysis.tables)
    lines.push(tableLine(table));
  return lines;
}
function resultLines(result, where) {
  const lines = result.migrations.flatMap(analysisLines);
  for (const file of result.notRun)
    lines.push(`Not run: ${file} (an earlier migration failed on the copy)`);
  const total = result.migrations.reduce((sum, m) => sum + m.seconds, 0);
  lines.push(`Dry run with --analyze: ${result.migrations.length} pending migration(s) ran in ${seconds(total)} on a copy of ${where} (copied in ${seconds(result.copySeconds)}, then dropped); the local database was not changed`);
  return lines;
}
async function analyzeCommand(flags, io) {
  if (flags.prod) {
    throw new UsageError("rb upgrade --dry-run --analyze never touches production: it runs the pending migrations on a copy of the local database (rb dump-and-restore puts production's data there first); drop --prod");
  }
  if (!flags.dryRun)
    throw new UsageError("--analyze goes with --dry-run: rb upgrade --dry-run --analyze runs the pending migrations on a throwaway copy and changes nothing");
  const { config, target } = await configAndTarget(flags, io);
  const result = await interruptible(({ signal }) => analyzeUpgrade(config, target, {
    timeouts: resolveTimeoutSettings(config.projectDir, flags),
    allowEdited: flags.allowEdited,
    allowOutOfOrder: flags.allowOutOfOrder,
    signal,
    onProgress: (line) => io.err(`rb: ${line}`),
    onRetry: (retry) => io.err(describeMigrationEvent({ kind: "lock-retry", ...retry }))
  }));
  if (!result) {
    io.out(`${targetLabel(target)}: up to date, nothing to analyze`);
    return;
  }
  for (const file of result.outOfOrder)
    io.err(`warning: ${file} is older than the newest applied migration (a parallel branch); rb upgrade would apply it anyway`);
  for (const line of resultLines(result, targetLabel(target)))
    io.out(line);
  const failed = result.migrations.find((m) => m.failure);
  if (failed)
    throw failedOnCopy(failed, result.notRun);
}
export {
  analysisLines,
  analyzeCommand,
  formatBytes
};
