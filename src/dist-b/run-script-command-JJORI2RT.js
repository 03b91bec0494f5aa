import {
  progressIntervalMs
} from "./chunk-GLAHWKWA.js";
import {
  guardProduction
} from "./chunk-WCGRPLJ2.js";
import {
  targetLabel
} from "./chunk-X6FAZUW5.js";
import {
  resolveTarget
} from "./chunk-LWDHCSGX.js";
import {
  cancelBackend,
  interruptible,
  stopSignalOf,
  terminateBackend
} from "./chunk-NMHWLE4Q.js";
import {
  RB_CHECKPOINTS_TABLE,
  RB_OWN_TABLES,
  qualified
} from "./chunk-IUNTMCXC.js";
import {
  quoteIdent
} from "./chunk-HJV3SOPZ.js";
import {
  asConnectionError,
  connectOptions,
  connectionLossReason
} from "./chunk-EKB3CR5R.js";
import {
  maskUrl
} from "./chunk-ZES4J75L.js";
import {
  loadConfig,
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import {
  ConnectionError,
  InterruptedError,
  MigrationError,
  RbError,
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/commands/run-script-command.js
import { existsSync as existsSync2 } from "node:fs";
import path2 from "node:path";

// dist/backfill/load-script.js
import { existsSync, statSync } from "node:fs";
import { pathToFileURL as pathToFileURL2 } from "node:url";

// dist/backfill/batch-settings.js
var DEFAULT_BATCH_SIZE = 1e4;
var MAX_BATCH_SIZE = 1e6;
var MAX_PAUSE_MS = 36e5;
var OPTIONS = ["table", "key", "batchSize", "pauseMs", "job", "batch"];
var NAME_PART = /^[\p{L}_][\p{L}\p{M}\p{N}_$]*$/u;
var MAX_NAME_BYTES = 63;
var n = (value) => value.toLocaleString("en-US");
function isName(part) {
  return NAME_PART.test(part) && Buffer.byteLength(part) <= MAX_NAME_BYTES;
}
function wholeNumberIn(value, min, max) {
  const number = typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === "number" && Number.isSafeInteger(number) && number >= min && number <= max ? number : void 0;
}
function batchFlags(flags) {
  const check = (value, flag, min, max, example, what) => {
    if (value === void 0)
      return void 0;
    const number = wholeNumberIn(value, min, max);
    if (number === void 0) {
      throw new UsageError(`${flag} ${String(value)}: must be a whole number from ${n(min)} to ${n(max)} (${what}), e.g. ${flag} ${example}`);
    }
    return number;
  };
  return {
    batchSize: check(flags.batchSize, "--batch-size", 1, MAX_BATCH_SIZE, 5e3, "rows per batch transaction"),
    pauseMs: check(flags.pause, "--pause", 0, MAX_PAUSE_MS, 100, "milliseconds between batches")
  };
}
function checkBatchedSettings(spec, shown) {
  const bad = (what, rule) => new UsageError(`${shown}: batchedBackfill({ ${what} }) ${rule}`);
  const unknown = Object.keys(spec).filter((key2) => !OPTIONS.includes(key2));
  if (unknown.length > 0) {
    throw new UsageError(`${shown}: batchedBackfill({ ... }) has no option "${unknown[0]}"; the options are ${OPTIONS.join(", ")}`);
  }
  const { table, key, batchSize, pauseMs, job, batch } = spec;
  const parts = typeof table === "string" ? table.split(".") : [];
  if (!(parts.length === 1 || parts.length === 2) || !parts.every(isName)) {
    throw bad(`table: ${JSON.stringify(table) ?? "undefined"}`, 'is not a table name; write [schema.]table with letters, digits, _ and $, e.g. table: "app.my_model"');
  }
  if (key !== void 0 && !(typeof key === "string" && isName(key))) {
    throw bad(`key: ${JSON.stringify(key)}`, 'is not a column name; name the unique, NOT NULL key column, e.g. key: "id"');
  }
  if (batchSize !== void 0 && wholeNumberIn(batchSize, 1, MAX_BATCH_SIZE) === void 0) {
    throw bad(`batchSize: ${JSON.stringify(batchSize)}`, `must be a whole number from 1 to ${n(MAX_BATCH_SIZE)} (rows per batch transaction)`);
  }
  if (pauseMs !== void 0 && wholeNumberIn(pauseMs, 0, MAX_PAUSE_MS) === void 0) {
    throw bad(`pauseMs: ${JSON.stringify(pauseMs)}`, `must be a whole number from 0 to ${n(MAX_PAUSE_MS)} (milliseconds between batches)`);
  }
  if (job !== void 0 && !(typeof job === "string" && job.trim() !== "" && job.length <= 200)) {
    throw bad(`job: ${JSON.stringify(job)}`, "must be a non-empty name of at most 200 characters (it names the checkpoint)");
  }
  if (typeof batch !== "function") {
    throw bad("batch", "must be an async function ({ sql, db, from, to, batch, log, args, dryRun }) => ... running the change for one key range");
  }
}

// dist/backfill/load-script.js
import { isBatchedBackfill } from "@rbsql/runtime";

// dist/backfill/script-location.js
import { pathToFileURL } from "node:url";
function scriptLocation(error, file) {
  const stack = error instanceof Error ? error.stack : void 0;
  if (!stack)
    return void 0;
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`(?:${escape(file)}|${escape(pathToFileURL(file).href)})(?:\\?[^:\\s)]*)?:(\\d+):(\\d+)`);
  for (const frame of stack.split("\n")) {
    const match = pattern.exec(frame);
    if (match)
      return { line: Number(match[1]), column: Number(match[2]) };
  }
  return void 0;
}
function describeScriptError(error) {
  if (!(error instanceof Error))
    return `threw ${String(error)}`;
  const pg = error;
  const message = error.message.split("\n")[0];
  if (error.name === "PostgresError" && pg.code) {
    return `${message} (SQLSTATE ${pg.code}${pg.detail ? `: ${pg.detail.split("\n")[0]}` : ""})`;
  }
  return message;
}

// dist/backfill/load-script.js
var USAGE_HINT = "export default an async function ({ sql, db, log, args, dryRun }) => { ... } (type Backfill from rb), or export default batchedBackfill({ ... })";
function parseTransformError(message) {
  const match = /:(\d+):(\d+): ERROR: (.*)/.exec(message);
  if (!match)
    return void 0;
  return { line: Number(match[1]), column: Number(match[2]), text: match[3] };
}
async function loadScript(file, shown) {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new UsageError(`${shown}: no such file; pass the path of a backfill script, e.g. rb run-script backfill/2024-09-20_my_model_populate_model_prop.ts`);
  }
  let namespace;
  try {
    const { tsImport } = await import("tsx/esm/api");
    namespace = await tsImport(pathToFileURL2(file).href, import.meta.url);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const syntax = error instanceof Error && /Transform failed/.test(message) ? parseTransformError(message) : void 0;
    if (syntax) {
      throw new UsageError(`${shown}:${syntax.line}:${syntax.column}: TypeScript syntax error: ${syntax.text}; fix the script and run it again`);
    }
    const where = scriptLocation(error, file);
    const firstLine = message.split("\n")[0];
    throw new UsageError(`${shown}${where ? `:${where.line}` : ""}: the script failed to load: ${firstLine}; fix the script and run it again`);
  }
  let exported = namespace.default;
  if (typeof exported === "object" && exported !== null && !isBatchedBackfill(exported) && "default" in exported) {
    exported = exported.default;
  }
  if (exported === void 0)
    throw new UsageError(`${shown}: no default export; ${USAGE_HINT}`);
  if (isBatchedBackfill(exported)) {
    checkBatchedSettings(exported, shown);
    return { kind: "batched", file, spec: exported };
  }
  if (typeof exported !== "function") {
    throw new UsageError(`${shown}: the default export is ${exported === null ? "null" : `a ${typeof exported}`}, not a function; ${USAGE_HINT}`);
  }
  return { kind: "single", file, run: exported };
}

// dist/backfill/logger.js
function formatValue(value) {
  if (typeof value === "string")
    return /[\s"=]/.test(value) || value === "" ? JSON.stringify(value) : value;
  if (value instanceof Date)
    return value.toISOString();
  if (typeof value === "bigint")
    return value.toString();
  return JSON.stringify(value) ?? String(value);
}
function formatLogLine(level, message, fields) {
  const tail = Object.entries(fields ?? {}).map(([key, value]) => ` ${key}=${formatValue(value)}`).join("");
  return `[${level}] ${message}${tail}`;
}
function createLogger(sink) {
  return {
    info: (message, fields) => sink(formatLogLine("info", message, fields)),
    warn: (message, fields) => sink(formatLogLine("warn", message, fields))
  };
}

// dist/backfill/run-single.js
import { db } from "@rbsql/runtime";

// dist/backfill/connection-loss.js
function isWriteToClosedSocket(error) {
  const stack = error instanceof TypeError ? error.stack ?? "" : "";
  return /reading 'write'/.test(stack) && /\bnextWrite\b/.test(stack) && /postgres[\\/]src[\\/]connection\.js/.test(stack);
}
async function watchConnectionLoss(work) {
  let lost;
  let onLost;
  const lostPromise = new Promise((_resolve, reject) => onLost = reject);
  lostPromise.catch(() => void 0);
  const watch = {
    note(error) {
      if (lost === void 0 && connectionLossReason(error)) {
        lost = error;
        onLost(error);
      }
      return error;
    },
    get error() {
      return lost;
    },
    race: (promise) => Promise.race([promise, lostPromise])
  };
  dropWritesToClosedSockets();
  return work(watch);
}
var dropping = false;
function dropWritesToClosedSockets() {
  if (dropping)
    return;
  dropping = true;
  const listener = (error) => {
    if (isWriteToClosedSocket(error))
      return;
    process.removeListener("uncaughtException", listener);
    setImmediate(() => {
      throw error;
    });
  };
  process.on("uncaughtException", listener);
}

// dist/backfill/process-exit-guard.js
var ScriptExitCall = class extends Error {
  code;
  constructor(code) {
    super(`the script called process.exit(${code ?? ""}); a backfill must return to commit or throw to roll back`);
    this.code = code;
    this.name = "ScriptExitCall";
  }
};
async function refusingProcessExit(work) {
  const original = process.exit;
  const guard = { call: void 0 };
  process.exit = ((code) => {
    guard.call ??= new ScriptExitCall(code);
    throw guard.call;
  });
  try {
    return await work(guard);
  } finally {
    process.exit = original;
  }
}

// dist/backfill/session.js
import { postgresWithTypeChoices } from "@rbsql/runtime";
function openScriptClient(url, searchPath) {
  return postgresWithTypeChoices(url, connectOptions(url, { max: 1, connection: { search_path: searchPath } }));
}
async function backendPid(sql) {
  const [row] = await sql`select pg_backend_pid() as pid`;
  return row.pid;
}
var SESSION_DEFAULTS = { lockTimeout: "5s", statementTimeout: "15min" };
async function applySessionDefaults(sql) {
  await sql.unsafe(`set local lock_timeout = '${SESSION_DEFAULTS.lockTimeout}'; set local statement_timeout = '${SESSION_DEFAULTS.statementTimeout}'`);
}
async function applyBatchDefaults(sql) {
  await sql.unsafe(`set local lock_timeout = '${SESSION_DEFAULTS.lockTimeout}'; set local statement_timeout = '${SESSION_DEFAULTS.statementTimeout}'; set local synchronous_commit = off`);
}
async function transactionChanges(sql, baseline = []) {
  const rows = await sql`
    select format('%I.%I', schemaname, relname) as table,
           n_tup_ins as inserted, n_tup_upd as updated, n_tup_del as deleted
      from pg_stat_xact_user_tables
     where (n_tup_ins + n_tup_upd + n_tup_del) > 0
       and not (schemaname || '.' || relname = any(${RB_OWN_TABLES.map(qualified)}::text[]))
     order by 1`;
  const before = new Map(baseline.map((c) => [c.table, c]));
  return rows.map((r) => {
    const b = before.get(r.table);
    return {
      table: r.table,
      inserted: Number(r.inserted) - (b?.inserted ?? 0),
      updated: Number(r.updated) - (b?.updated ?? 0),
      deleted: Number(r.deleted) - (b?.deleted ?? 0)
    };
  }).filter((c) => c.inserted + c.updated + c.deleted > 0);
}
async function tableChangeCount(sql, table) {
  const [row] = await sql`
    select pg_stat_get_xact_tuples_inserted(c.oid) + pg_stat_get_xact_tuples_updated(c.oid)
           + pg_stat_get_xact_tuples_deleted(c.oid) as n
      from (select to_regclass(${table})::oid as oid) c`;
  return Number(row.n);
}
function describeChange(change) {
  const parts = [];
  if (change.inserted)
    parts.push(`${change.inserted.toLocaleString("en-US")} inserted`);
  if (change.updated)
    parts.push(`${change.updated.toLocaleString("en-US")} updated`);
  if (change.deleted)
    parts.push(`${change.deleted.toLocaleString("en-US")} deleted`);
  return `${change.table}: ${parts.join(", ")}`;
}

// dist/backfill/stop-server-work.js
var WorkStopped = class extends Error {
  constructor() {
    super("the server session was ended");
    this.name = "WorkStopped";
  }
};
function abortOf(signal, until) {
  return new Promise((resolve) => {
    if (!signal || until.aborted)
      return;
    if (signal.aborted)
      return resolve();
    const done = () => {
      signal.removeEventListener("abort", done);
      until.removeEventListener("abort", done);
      resolve();
    };
    signal.addEventListener("abort", done, { once: true });
    until.addEventListener("abort", done, { once: true });
  });
}
async function stopServerWorkOn(work, options) {
  if (!options.stop)
    return work;
  const finished = new AbortController();
  const settled = work.then(() => void 0, () => void 0);
  const stopped = abortOf(options.stop, finished.signal).then(async () => {
    if (finished.signal.aborted)
      return;
    const pid = options.pid();
    if (pid !== void 0)
      await cancelBackend(options.url, pid).catch(() => void 0);
    const grace = new AbortController();
    const timer = setTimeout(() => grace.abort(), options.graceMs ?? 2e3);
    try {
      const letGo = await Promise.race([
        settled.then(() => true),
        abortOf(grace.signal, finished.signal).then(() => false),
        abortOf(options.escalate, finished.signal).then(() => false)
      ]);
      if (letGo || finished.signal.aborted)
        return;
    } finally {
      clearTimeout(timer);
    }
    const current = options.pid();
    if (current !== void 0)
      await terminateBackend(options.url, current).catch(() => void 0);
    throw new WorkStopped();
  });
  try {
    return await Promise.race([work, stopped.then(() => work)]);
  } finally {
    finished.abort();
  }
}

// dist/backfill/run-single.js
var DRY_RUN = /* @__PURE__ */ Symbol("dry run rollback");
var STOPPED = /* @__PURE__ */ Symbol("stopped before the script started");
var ScriptFailure = class {
  cause;
  constructor(cause) {
    this.cause = cause;
  }
};
function scriptError(error, file, shown) {
  const where = scriptLocation(error, file);
  return new MigrationError(`${shown}${where ? `:${where.line}` : ""}: ${describeScriptError(error)}; the transaction was rolled back, nothing was changed`);
}
function runSingleScript(url, script, options) {
  return refusingProcessExit((exits) => watchConnectionLoss((loss) => runInTransaction(url, script, options, exits, loss)));
}
async function runInTransaction(url, script, options, exits, loss) {
  const started = performance.now();
  const sql = openScriptClient(url, options.searchPath);
  let changes = [];
  let counts;
  let pid;
  let committing = false;
  const result = (committed) => ({
    committed,
    stopped: Boolean(options.signal?.aborted),
    changes,
    counts,
    durationMs: performance.now() - started
  });
  try {
    const work = sql.begin(async (tx) => {
      try {
        [pid] = await Promise.all([backendPid(tx), applySessionDefaults(tx)]);
        if (options.signal?.aborted)
          throw STOPPED;
        const baseline = await transactionChanges(tx);
        try {
          const context = { sql: tx, db: db(tx), log: options.log, args: options.args, dryRun: options.dryRun };
          const returned = await script(context);
          if (exits.call)
            throw exits.call;
          if (returned && typeof returned === "object")
            counts = returned;
        } catch (error) {
          throw new ScriptFailure(error);
        }
        try {
          changes = await transactionChanges(tx, baseline);
        } catch (error) {
          if (error.code === "25P02") {
            throw new MigrationError(`${options.shown}: a statement failed inside the script and the script caught the error, so the transaction was aborted; it was rolled back, nothing was changed (let the error propagate, or use sql.savepoint() to recover inside the script)`);
          }
          throw error;
        }
        if (options.dryRun)
          throw DRY_RUN;
        committing = true;
      } catch (error) {
        loss.note(error instanceof ScriptFailure ? error.cause : error);
        throw error;
      }
    });
    await stopServerWorkOn(loss.race(work), { url, pid: () => pid, stop: options.signal, escalate: options.now });
  } catch (error) {
    if (options.signal?.aborted || error === STOPPED)
      return result(false);
    if (error === DRY_RUN)
      return result(false);
    const cause = error instanceof ScriptFailure ? error.cause : error;
    if (pid === void 0) {
      const refused = asConnectionError(cause, url);
      if (refused !== cause)
        throw refused;
    }
    const lost = connectionLossReason(cause);
    if (lost) {
      throw new ConnectionError(committing ? `lost the connection to ${maskUrl(url)} while committing ${options.shown}: ${lost}; whether the transaction committed is unknown: check the data before running the script again` : `lost the connection to ${maskUrl(url)} while ${options.shown} ran: ${lost}; its transaction was rolled back, nothing was changed`);
    }
    if (error instanceof ScriptFailure)
      throw scriptError(error.cause, options.file, options.shown);
    if (error instanceof MigrationError)
      throw error;
    throw new MigrationError(`${options.shown}: ${describeScriptError(error)}; the transaction was rolled back, nothing was changed`);
  } finally {
    await sql.end({ timeout: loss.error === void 0 ? 5 : 0 });
  }
  return result(true);
}

// dist/backfill/run-batches.js
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { db as db2 } from "@rbsql/runtime";

// dist/backfill/checkpoint.js
var CHECKPOINT_TABLE = qualified(RB_CHECKPOINTS_TABLE);
function fromRow(row) {
  return {
    job: row.job,
    lastKey: row.last_key,
    rowsDone: Number(row.rows_done),
    rowsChanged: Number(row.rows_changed),
    batches: row.batches,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at
  };
}
async function ensureCheckpointTable(sql) {
  if (await checkpointTableExists(sql))
    return;
  try {
    await createCheckpointTable(sql);
  } catch (error) {
    const code = error.code;
    if (code !== "23505" && code !== "42P07")
      throw error;
  }
}
async function createCheckpointTable(sql) {
  await sql.unsafe(`
    create table if not exists ${CHECKPOINT_TABLE} (
      job text primary key,
      last_key text,
      rows_done bigint not null default 0,
      rows_changed bigint not null default 0,
      batches integer not null default 0,
      started_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      finished_at timestamptz
    )`);
}
async function checkpointTableExists(sql) {
  const [row] = await sql`select to_regclass(${CHECKPOINT_TABLE}) is not null as exists`;
  return row.exists;
}
async function readCheckpoint(sql, job, options = {}) {
  const rows = await sql.unsafe(`select * from ${CHECKPOINT_TABLE} where job = $1${options.lock ? " for update" : ""}`, [job]);
  return rows.length ? fromRow(rows[0]) : null;
}
async function startCheckpoint(sql, job) {
  await sql.unsafe(`insert into ${CHECKPOINT_TABLE} (job) values ($1) on conflict (job) do nothing`, [job]);
  return await readCheckpoint(sql, job);
}
async function advanceCheckpoint(sql, job, lastKey, rows, changed) {
  await sql.unsafe(`update ${CHECKPOINT_TABLE}
        set last_key = $2, rows_done = rows_done + $3, rows_changed = rows_changed + $4,
            batches = batches + 1, updated_at = now()
      where job = $1`, [job, lastKey, rows, changed]);
}
async function finishCheckpoint(sql, job) {
  await sql.unsafe(`update ${CHECKPOINT_TABLE} set finished_at = now(), updated_at = now() where job = $1`, [job]);
}
async function deleteCheckpoint(sql, job) {
  await sql.unsafe(`delete from ${CHECKPOINT_TABLE} where job = $1`, [job]);
}

// dist/backfill/key-range.js
function quoteQualified(name) {
  return name.split(".").map(quoteIdent).join(".");
}
async function nextKeyRange(sql, table, key, after, size) {
  const k = quoteIdent(key);
  const t = quoteQualified(table);
  const where = after === null ? "" : `where ${k} > $2`;
  const params = after === null ? [size] : [size, after];
  const [row] = await sql.unsafe(
    // Cast outside the subqueries: inside, "order by id" would sort by the text output column.
    `select (select ${k} from ${t} ${where} order by ${k} limit 1)::text as "from",
            (select ${k} from ${t} ${where} order by ${k} offset $1 - 1 limit 1)::text as "to"`,
    params
  );
  if (row.from === null)
    return null;
  if (row.to !== null)
    return { from: row.from, to: row.to, rows: size };
  const [rest] = await sql.unsafe(`select max(${k})::text as "to", count(*)::int as rows from ${t} ${where.replace("$2", "$1")}`, after === null ? [] : [after]);
  return { from: row.from, to: rest.to, rows: rest.rows };
}
async function remainingRows(sql, table, key, after, doneBefore) {
  const [stats] = await sql`select reltuples::float8 as reltuples from pg_class where oid = to_regclass(${quoteQualified(table)})`;
  if (stats && stats.reltuples > 2e6)
    return { rows: Math.max(Math.round(stats.reltuples) - doneBefore, 0), estimate: true };
  const k = quoteIdent(key);
  const [row] = await sql.unsafe(`select count(*) as n from ${quoteQualified(table)}${after === null ? "" : ` where ${k} > $1`}`, after === null ? [] : [after]);
  return { rows: Number(row.n), estimate: false };
}
async function checkTableAndKey(sql, table, key, shown) {
  const [row] = await sql`
    select c.relkind::text as kind, a.attnum is not null as column, coalesce(a.attnotnull, false) as not_null,
           exists(select 1 from pg_index i
                   where i.indrelid = c.oid and i.indisunique and i.indisvalid and i.indnkeyatts = 1
                     and i.indkey[0] = a.attnum and i.indpred is null and i.indexprs is null) as unique
      from (select to_regclass(${quoteQualified(table)}) as oid) r
      left join pg_class c on c.oid = r.oid
      left join pg_attribute a on a.attrelid = c.oid and a.attname = ${key} and a.attnum > 0 and not a.attisdropped`;
  if (!row.kind) {
    throw new UsageError(`${shown}: table "${table}" does not exist in this database; name a schema-qualified table in batchedBackfill({ table: ... })`);
  }
  if (row.kind !== "r" && row.kind !== "p") {
    const kinds = { v: "a view", m: "a materialized view", f: "a foreign table", S: "a sequence", i: "an index", c: "a composite type" };
    throw new UsageError(`${shown}: ${table} is ${kinds[row.kind] ?? "not a table"}; batchedBackfill({ table: ... }) walks the rows of a table`);
  }
  if (!row.column) {
    throw new UsageError(`${shown}: table ${table} has no column "${key}"; set batchedBackfill({ key: ... }) to its unique, NOT NULL key column`);
  }
  if (!row.unique) {
    throw new UsageError(`${shown}: key column "${key}" of ${table} has no unique index of its own: rows sharing a key would be split across batches and miscounted; use the primary key or a unique NOT NULL column in batchedBackfill({ key: ... })`);
  }
  if (!row.not_null) {
    throw new UsageError(`${shown}: key column "${key}" of ${table} may be NULL: rows whose key is NULL would never be walked; use the primary key or a unique NOT NULL column in batchedBackfill({ key: ... })`);
  }
}

// dist/backfill/progress.js
var n2 = (value) => Math.round(value).toLocaleString("en-US");
function formatDuration(ms) {
  const seconds = Math.max(0, Math.round(ms / 1e3));
  if (seconds < 60)
    return `${seconds}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor(seconds % 3600 / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
function rowsPerSecond(progress) {
  return progress.elapsedMs > 0 ? progress.rowsThisRun * 1e3 / progress.elapsedMs : 0;
}
function formatProgress(progress) {
  const rate = rowsPerSecond(progress);
  const total = progress.rowsTotal;
  const percent = total > 0 ? ` (${(100 * progress.rowsDone / total).toFixed(1)}%)` : "";
  const eta = rate > 0 ? formatDuration((total - progress.rowsDone) / rate * 1e3) : "?";
  return `${n2(progress.rowsDone)}/${progress.totalIsEstimate ? "~" : ""}${n2(total)} rows${percent}, ${n2(rate)} rows/s, ETA ${eta}, ${progress.batches} batch${progress.batches === 1 ? "" : "es"}`;
}
function formatCount(value) {
  return n2(value);
}

// dist/backfill/run-batches.js
var RETRYABLE = { "55P03": "lock_timeout", "40P01": "a deadlock", "40001": "a serialization failure" };
var RETRY_DELAYS_MS = [500, 1e3, 2e3];
var DRY_RUN2 = /* @__PURE__ */ Symbol("dry run rollback");
function jobName(spec, file) {
  return spec.job ?? path.basename(file).replace(/\.[cm]?[tj]s$/, "");
}
function changedCount(result) {
  if (typeof result === "number")
    return result;
  if (result && typeof result === "object" && typeof result.count === "number")
    return result.count;
  return void 0;
}
function noting(loss, body) {
  return async (tx) => {
    try {
      return await body(tx);
    } catch (error) {
      loss.note(error instanceof ScriptFailure ? error.cause : error);
      throw error;
    }
  };
}
function startProgress(job, start, left) {
  const done = start?.rowsDone ?? 0;
  return {
    job,
    batches: 0,
    rowsDone: done,
    rowsTotal: done + left.rows,
    totalIsEstimate: left.estimate,
    rowsChanged: 0,
    rowsThisRun: 0,
    elapsedMs: 0,
    slowestBatchMs: 0,
    lastKey: start?.lastKey ?? null
  };
}
function runBatches(url, spec, options) {
  return refusingProcessExit((exits) => watchConnectionLoss((loss) => runOn(url, spec, options, exits, loss)));
}
async function runOn(url, spec, options, exits, loss) {
  const sql = openScriptClient(url, options.searchPath);
  try {
    return await walk(url, sql, spec, options, exits, loss);
  } catch (error) {
    if (error instanceof RbError)
      throw error;
    const refused = asConnectionError(error, url);
    if (refused !== error)
      throw refused;
    const lost = connectionLossReason(error);
    if (lost)
      throw new ConnectionError(`lost the connection to ${maskUrl(url)}: ${lost}; every committed batch is in the checkpoint: run the same command again to resume`);
    throw error;
  } finally {
    await sql.end({ timeout: loss.error === void 0 ? 5 : 0 });
  }
}
async function walk(url, sql, spec, options, exits, loss) {
  const job = jobName(spec, options.file);
  const key = spec.key ?? "id";
  const batchSize = options.batchSize ?? spec.batchSize ?? DEFAULT_BATCH_SIZE;
  const pauseMs = options.pauseMs ?? spec.pauseMs ?? 0;
  await checkTableAndKey(sql, spec.table, key, options.shown);
  const quotedTable = quoteQualified(spec.table);
  const runBatch = async (tx, range, batch, before) => {
    let result;
    try {
      const context = { sql: tx, db: db2(tx), log: options.log, args: options.args, dryRun: options.dryRun };
      result = await spec.batch({ ...context, from: range.from, to: range.to, batch });
      if (exits.call)
        throw exits.call;
    } catch (error) {
      throw new ScriptFailure(error);
    }
    const reported = changedCount(result);
    if (reported !== void 0)
      return reported;
    return await tableChangeCount(tx, quotedTable) - before;
  };
  const failure = (error, range, committedNote2) => {
    const where = scriptLocation(error.cause, options.file);
    return new MigrationError(`${options.shown}${where ? `:${where.line}` : ""}: ${describeScriptError(error.cause)}; the batch of keys ${range.from}..${range.to} was rolled back${committedNote2}`);
  };
  if (options.dryRun) {
    const existing = await checkpointTableExists(sql) ? await readCheckpoint(sql, job) : null;
    if (existing?.finishedAt && !options.restart)
      return { outcome: "already-finished", job, checkpoint: existing };
    const resumedFrom2 = options.restart ? null : existing;
    const after = resumedFrom2?.lastKey ?? null;
    const left2 = await remainingRows(sql, spec.table, key, after, resumedFrom2?.rowsDone ?? 0);
    let range = null;
    let changed = 0;
    let changes = [];
    let pid;
    try {
      const work = sql.begin(noting(loss, async (tx) => {
        const [, p, baseline, before, next] = await Promise.all([
          applyBatchDefaults(tx),
          backendPid(tx),
          transactionChanges(tx),
          tableChangeCount(tx, quotedTable),
          nextKeyRange(tx, spec.table, key, after, batchSize)
        ]);
        pid = p;
        range = next;
        if (range)
          changed = await runBatch(tx, range, 1, before);
        changes = await transactionChanges(tx, baseline);
        throw DRY_RUN2;
      }));
      await stopServerWorkOn(loss.race(work), { url, pid: () => pid, stop: options.signal, escalate: options.now });
    } catch (error) {
      if (options.signal?.aborted)
        return { outcome: "stopped", job, resumedFrom: resumedFrom2, progress: startProgress(job, resumedFrom2, left2), cancelled: range };
      const lost = connectionLossReason(error instanceof ScriptFailure ? error.cause : error);
      if (lost)
        throw new ConnectionError(`lost the connection to ${maskUrl(url)} during the dry run: ${lost}; nothing was changed`);
      if (error instanceof ScriptFailure)
        throw failure(error, range, "; nothing was changed (dry run)");
      if (error !== DRY_RUN2)
        throw error;
    }
    return { outcome: "dry-run", job, range, changed, changes, resumedFrom: resumedFrom2, rowsLeft: left2.rows };
  }
  await ensureCheckpointTable(sql);
  if (options.restart)
    await deleteCheckpoint(sql, job);
  const start = await startCheckpoint(sql, job);
  if (start.finishedAt)
    return { outcome: "already-finished", job, checkpoint: start };
  const resumedFrom = start.batches > 0 ? start : null;
  const left = await remainingRows(sql, spec.table, key, start.lastKey, start.rowsDone);
  options.onStart?.({ job, resumedFrom, rowsTotal: start.rowsDone + left.rows, totalIsEstimate: left.estimate, batchSize });
  const began = performance.now();
  const progress = startProgress(job, start, left);
  const committedNote = () => progress.batches + (resumedFrom?.batches ?? 0) > 0 ? `; earlier batches are committed and the checkpoint is saved: fix the script and run the same command again to resume` : "; nothing was changed";
  for (; ; ) {
    if (options.signal?.aborted)
      return { outcome: "stopped", job, resumedFrom, progress, cancelled: null };
    let batchStarted = performance.now();
    let range = null;
    let done = false;
    let changed = 0;
    for (let attempt = 1; ; attempt += 1) {
      batchStarted = performance.now();
      let pid;
      try {
        const work = sql.begin(noting(loss, async (tx) => {
          const [, p, checkpoint, before] = await Promise.all([
            applyBatchDefaults(tx),
            backendPid(tx),
            readCheckpoint(tx, job, { lock: true }).catch((error) => {
              if (error.code === "55P03") {
                throw new RbError(`${options.shown}: another run of backfill job "${job}" is in progress (its checkpoint row in public.rb_backfill_checkpoints is locked); wait for it to finish or stop it`);
              }
              throw error;
            }),
            tableChangeCount(tx, quotedTable)
          ]);
          pid = p;
          range = await nextKeyRange(tx, spec.table, key, checkpoint?.lastKey ?? null, batchSize);
          if (!range) {
            await finishCheckpoint(tx, job);
            done = true;
            return;
          }
          changed = await runBatch(tx, range, progress.batches + 1, before);
          await advanceCheckpoint(tx, job, range.to, range.rows, changed);
        }));
        await stopServerWorkOn(loss.race(work), { url, pid: () => pid, stop: options.now });
        break;
      } catch (error) {
        if (options.now?.aborted)
          return { outcome: "stopped", job, resumedFrom, progress, cancelled: range };
        const lost = connectionLossReason(error instanceof ScriptFailure ? error.cause : error);
        if (lost) {
          const current2 = range;
          throw new ConnectionError(`lost the connection to ${maskUrl(url)} during batch ${progress.batches + 1}${current2 ? ` (keys ${current2.from}..${current2.to})` : ""}: ${lost}; ${formatCount(progress.rowsDone)} rows are done and each batch commits together with its checkpoint: run the same command again to resume from the last committed batch`);
        }
        if (!(error instanceof ScriptFailure))
          throw error;
        const code = error.cause?.code;
        const reason = code ? RETRYABLE[code] : void 0;
        const current = range;
        if (!reason || attempt > RETRY_DELAYS_MS.length || options.signal?.aborted)
          throw failure(error, current, committedNote());
        const delay = RETRY_DELAYS_MS[attempt - 1];
        options.log.warn(`batch ${progress.batches + 1} (keys ${current.from}..${current.to}) hit ${reason} (SQLSTATE ${code}) and was rolled back; retrying in ${delay / 1e3}s (attempt ${attempt + 1} of ${RETRY_DELAYS_MS.length + 1})`);
        await sleep(delay, void 0, { signal: options.signal }).catch((e) => {
          if (e.name !== "AbortError")
            throw e;
        });
        if (options.signal?.aborted)
          return { outcome: "stopped", job, resumedFrom, progress, cancelled: null };
      }
    }
    if (done)
      break;
    const batchMs = performance.now() - batchStarted;
    const finished = range;
    progress.batches += 1;
    progress.rowsChanged += changed;
    progress.rowsDone += finished.rows;
    progress.rowsThisRun += finished.rows;
    progress.lastKey = finished.to;
    progress.slowestBatchMs = Math.max(progress.slowestBatchMs, batchMs);
    progress.elapsedMs = performance.now() - began;
    progress.rowsTotal = Math.max(progress.rowsTotal, progress.rowsDone);
    options.onProgress?.({ ...progress });
    if (pauseMs > 0 && !options.signal?.aborted) {
      await sleep(pauseMs, void 0, { signal: options.signal }).catch((error) => {
        if (error.name !== "AbortError")
          throw error;
      });
    }
  }
  progress.elapsedMs = performance.now() - began;
  progress.rowsTotal = progress.rowsDone;
  return { outcome: "finished", job, resumedFrom, progress };
}

// dist/commands/run-script-command.js
function printChanges(io, changes) {
  if (changes.length === 0)
    io.out("  no rows changed");
  for (const change of changes)
    io.out(`  ${describeChange(change)}`);
}
function scriptPath(config, file) {
  const candidates = [path2.resolve(file), path2.resolve(config.projectDir, file), path2.resolve(config.backfillDir, file)];
  return candidates.find((candidate) => existsSync2(candidate)) ?? candidates[0];
}
async function runScriptCommand(file, flags, io) {
  const { batchSize, pauseMs } = batchFlags(flags);
  const config = loadConfig();
  const absolute = scriptPath(config, file);
  const shown = relativeToProject(config, absolute);
  const script = await loadScript(absolute, shown);
  const target = await resolveTarget(config, { prod: flags.prod, databaseUrl: flags.databaseUrl, warn: io.err });
  const dryRun = Boolean(flags.dryRun);
  const args = (flags["--"] ?? []).map(String);
  let drewTtyLine = false;
  const log = createLogger((line) => {
    if (drewTtyLine)
      process.stderr.write("\r\x1B[K");
    io.err(line);
  });
  const searchPath = [...config.schemas, "public"].join(", ");
  const where = targetLabel(target);
  if (script.kind === "single") {
    if (batchSize !== void 0 || pauseMs !== void 0 || flags.restart) {
      throw new UsageError(`${shown}: --batch-size, --pause and --restart apply only to batched scripts (export default batchedBackfill({ ... }))`);
    }
    await guardProduction(target, {
      action: `run-script ${shown}${dryRun ? " --dry-run" : ""}`,
      plan: [dryRun ? `run ${shown} in one transaction, then roll it back (dry run)` : `run ${shown} in one transaction and commit it if the script succeeds`],
      yes: flags.yes,
      confirm: io.confirm,
      announce: io.err
    });
    let stoppedBy2 = "SIGINT";
    const result2 = await interruptible(({ signal, now }) => {
      signal.addEventListener("abort", () => {
        stoppedBy2 = stopSignalOf(signal);
        io.err(`rb: ${stoppedBy2}: cancelling the running statement and rolling back`);
      }, { once: true });
      return runSingleScript(target.url, script.run, { file: absolute, shown, args, dryRun, log, searchPath, signal, now });
    }, { handlesNow: true });
    if (result2.stopped) {
      throw new InterruptedError(result2.committed ? `${stoppedBy2} arrived as ${shown} committed on ${where}: its changes are kept` : `stopped by ${stoppedBy2}: ${shown} was cancelled on ${where} and its transaction rolled back; nothing was changed`, stoppedBy2);
    }
    if (result2.committed)
      io.out(`${shown}: committed on ${where} in ${(result2.durationMs / 1e3).toFixed(1)}s`);
    else
      io.out(`Dry run of ${shown} on ${where}: rolled back, nothing was changed. Before the rollback it had changed:`);
    printChanges(io, result2.changes);
    for (const [label, count] of Object.entries(result2.counts ?? {}))
      io.out(`  ${label}: ${formatCount(count)} (reported by the script)`);
    return;
  }
  const spec = script.spec;
  const job = jobName(spec, absolute);
  const size = batchSize ?? spec.batchSize ?? DEFAULT_BATCH_SIZE;
  await guardProduction(target, {
    action: `run-script ${shown}${dryRun ? " --dry-run" : ""}`,
    plan: [
      dryRun ? `run the first batch of ${formatCount(size)} rows of ${spec.table} and roll it back (dry run)` : `walk ${spec.table} by ${spec.key ?? "id"} in batches of ${formatCount(size)} rows, committing each batch (checkpoint job "${job}")`
    ],
    yes: flags.yes,
    confirm: io.confirm,
    announce: io.err
  });
  const tty = Boolean(process.stderr.isTTY);
  const intervalMs = progressIntervalMs();
  let lastPrinted = performance.now();
  let latest;
  const onProgress = (progress) => {
    latest = progress;
    const now = performance.now();
    if (tty) {
      if (now - lastPrinted < 100)
        return;
      process.stderr.write(`\r\x1B[K${formatProgress(progress)}`);
      drewTtyLine = true;
    } else {
      if (now - lastPrinted < intervalMs)
        return;
      io.err(`progress: ${formatProgress(progress)}`);
    }
    lastPrinted = now;
  };
  let stoppedBy = "SIGINT";
  const result = await interruptible(async ({ signal, now }) => {
    signal.addEventListener("abort", () => {
      stoppedBy = stopSignalOf(signal);
      io.err(dryRun ? `rb: ${stoppedBy}: cancelling the dry run's batch and rolling back` : `rb: ${stoppedBy}: stopping after the current batch (send it again to stop at once; the batch in flight is then rolled back)`);
    }, { once: true });
    try {
      return await runBatches(target.url, spec, {
        file: absolute,
        shown,
        args,
        dryRun,
        log,
        searchPath,
        batchSize,
        pauseMs,
        restart: flags.restart,
        signal,
        now,
        onProgress,
        onStart: (start) => {
          const total = `${start.totalIsEstimate ? "~" : ""}${formatCount(start.rowsTotal)}`;
          if (start.resumedFrom) {
            io.err(`Resuming job "${job}" after key ${start.resumedFrom.lastKey}: ${formatCount(start.resumedFrom.rowsDone)} of ${total} rows done by an earlier run`);
          } else {
            io.err(`Starting job "${job}" on ${where}: ${total} rows of ${spec.table} in batches of ${formatCount(start.batchSize)}`);
          }
        }
      });
    } finally {
      if (drewTtyLine)
        process.stderr.write(`\r\x1B[K${latest ? formatProgress(latest) : ""}
`);
    }
  }, { handlesNow: true });
  switch (result.outcome) {
    case "already-finished":
      io.out(`${shown}: job "${job}" already finished on ${where} at ${result.checkpoint.finishedAt.toISOString()} (${formatCount(result.checkpoint.rowsDone)} rows); pass --restart to run it again from the first row`);
      return;
    case "dry-run": {
      const from = result.resumedFrom ? ` (resuming after key ${result.resumedFrom.lastKey})` : "";
      if (!result.range) {
        io.out(`Dry run of ${shown} on ${where}: no rows left to walk${from}; nothing was changed`);
        return;
      }
      io.out(`Dry run of ${shown} on ${where}: ran the first batch${from}, keys ${result.range.from}..${result.range.to} (${formatCount(result.range.rows)} rows), and rolled it back; nothing was changed. It had changed:`);
      printChanges(io, result.changes);
      io.out(`  ${formatCount(result.changed)} rows reported by the batch; the run for real walks ${formatCount(result.rowsLeft)} rows (this batch included) in batches of ${formatCount(size)}`);
      return;
    }
    case "stopped": {
      const p = result.progress;
      const signal = stoppedBy;
      if (dryRun) {
        throw new InterruptedError(`stopped by ${signal}: the dry run's batch was cancelled on ${where} and rolled back; nothing was changed`, signal);
      }
      const cancelled = result.cancelled ? ` and the batch in flight (keys ${result.cancelled.from}..${result.cancelled.to}) was cancelled and rolled back` : "";
      throw new InterruptedError(`stopped by ${signal} after ${p.batches} batch(es)${cancelled}: ${formatCount(p.rowsDone)}/${formatCount(p.rowsTotal)} rows of ${spec.table} done, up to key ${p.lastKey ?? "(none)"}; the checkpoint of job "${job}" is saved: run the same command again to resume`, signal);
    }
    case "finished": {
      const p = result.progress;
      io.out(`${shown}: job "${job}" finished on ${where}: ${formatCount(p.rowsThisRun)} rows walked in ${p.batches} batches (${formatCount(p.rowsChanged)} changed) in ${formatDuration(p.elapsedMs)}, ${formatCount(rowsPerSecond(p))} rows/s; slowest batch ${Math.round(p.slowestBatchMs)} ms`);
      if (result.resumedFrom)
        io.out(`  resumed after key ${result.resumedFrom.lastKey}: ${formatCount(result.resumedFrom.rowsDone)} rows were done by an earlier run`);
      return;
    }
  }
}
export {
  runScriptCommand
};
