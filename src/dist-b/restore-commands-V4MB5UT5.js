import {
  assertSchemaHoldsDump,
  connectMaintenance,
  countRows,
  createWorkDatabase,
  dropDatabase,
  dropLeftoverDatabases,
  loadData,
  qualifiedName,
  throttled,
  workDatabaseName
} from "./chunk-CY3XE7R3.js";
import "./chunk-XHXONIPQ.js";
import {
  assertLocalTarget,
  checkProductionVersions,
  dumpProduction,
  planRestore,
  removeLeftoverDumps
} from "./chunk-G34TJMUB.js";
import {
  countDumpRows,
  removeLeftoverScratchDirs,
  withScratchDir,
  writeRestoreList
} from "./chunk-74N242QX.js";
import "./chunk-MDXE5UZ2.js";
import {
  describeFailure,
  failureError,
  runMigrations
} from "./chunk-H26FYK5V.js";
import "./chunk-J3NTZTBQ.js";
import "./chunk-2M3JEVIH.js";
import {
  targetLabel
} from "./chunk-X6FAZUW5.js";
import {
  resolveTarget
} from "./chunk-LWDHCSGX.js";
import {
  interruptible,
  stopSignalOf
} from "./chunk-NMHWLE4Q.js";
import "./chunk-IUNTMCXC.js";
import {
  quoteIdent
} from "./chunk-HJV3SOPZ.js";
import "./chunk-LC5NCFF3.js";
import "./chunk-7U3JJN2P.js";
import "./chunk-GX35TSEW.js";
import "./chunk-APFTIODY.js";
import {
  connect
} from "./chunk-EKB3CR5R.js";
import {
  describeUrl,
  maskUrl,
  parseDatabaseUrl
} from "./chunk-ZES4J75L.js";
import {
  loadConfig,
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import {
  InterruptedError,
  RbError,
  RefusedError,
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/commands/restore-commands.js
import { existsSync, rmSync, statSync } from "node:fs";
import path2 from "node:path";

// dist/restore/restore-dump.js
import path from "node:path";
import { performance } from "node:perf_hooks";

// dist/restore/deferred-indexes.js
var QUALIFIED = { search_path: "pg_catalog" };
function literal(text) {
  return `'${text.replace(/'/g, "''")}'`;
}
async function captureDeferred(sql, tables) {
  if (tables.length === 0)
    return [];
  const schemas = tables.map((t) => t.schema);
  const names = tables.map((t) => t.name);
  const oids = (await sql`
      select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
      join unnest(${schemas}::text[], ${names}::text[]) as t(schema, name) on t.schema = n.nspname and t.name = c.relname
      where c.relkind = 'r' and not c.relispartition`).map((r) => r.oid);
  if (oids.length === 0)
    return [];
  const constraints = await sql`
    select con.conrelid::regclass::text as table, n.nspname || '.' || c.relname as key, con.conname as name, con.contype, pg_get_constraintdef(con.oid) as def,
           obj_description(con.oid, 'pg_constraint') as comment, i.indisclustered as clustered
    from pg_constraint con
    join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
    left join pg_index i on con.contype in ('p', 'u') and i.indexrelid = con.conindid
    where con.conparentid = 0
      and ((con.contype in ('p', 'u') and con.conrelid = any(${oids}::oid[]) and not coalesce(i.indisreplident, false))
        or (con.contype = 'f' and (con.conrelid = any(${oids}::oid[]) or con.confrelid = any(${oids}::oid[]))))
    order by con.conrelid, con.conname`;
  const indexes = await sql`
    select i.indrelid::regclass::text as table, n.nspname || '.' || c.relname as key, i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def,
           obj_description(i.indexrelid, 'pg_class') as comment, i.indisclustered as clustered
    from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
    where i.indrelid = any(${oids}::oid[]) and not i.indisreplident
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.contype in ('p', 'u', 'x'))
    order by i.indrelid, i.indexrelid`;
  const objects = [];
  for (const c of constraints) {
    const name = quoteIdent(c.name);
    const after = [];
    if (c.comment !== null)
      after.push(`comment on constraint ${name} on ${c.table} is ${literal(c.comment)}`);
    if (c.clustered)
      after.push(`alter table ${c.table} cluster on ${name}`);
    objects.push({
      kind: c.contype === "f" ? "foreign-key" : "constraint",
      table: c.table,
      tableKey: c.key,
      name: c.name,
      create: `alter table ${c.table} add constraint ${name} ${c.def}`,
      drop: `alter table ${c.table} drop constraint ${name}`,
      after
    });
  }
  for (const i of indexes) {
    const after = [];
    if (i.comment !== null)
      after.push(`comment on index ${i.name} is ${literal(i.comment)}`);
    if (i.clustered)
      after.push(`alter table ${i.table} cluster on ${i.name.replace(/^.*\./, "")}`);
    objects.push({ kind: "index", table: i.table, tableKey: i.key, name: i.name, create: i.def, drop: `drop index ${i.name}`, after });
  }
  return objects;
}
async function dropDeferred(sql, objects) {
  const order = ["foreign-key", "constraint", "index"];
  await sql.begin(async (tx) => {
    for (const kind of order)
      for (const o of objects.filter((x) => x.kind === kind))
        await tx.unsafe(o.drop);
  });
}
function startIndexBuilder(url, objects, jobs, onDone) {
  const overlap = jobs > 1;
  const clients = Array.from({ length: Math.max(1, jobs) }, () => connect(url, { max: 1, connection: { ...QUALIFIED, maintenance_work_mem: "256MB" } }));
  const waiting = /* @__PURE__ */ new Map();
  for (const o of objects) {
    if (o.kind !== "foreign-key")
      waiting.set(o.tableKey, [...waiting.get(o.tableKey) ?? [], o.create]);
  }
  const queue = [];
  const sleepers = [];
  const wakeAll = () => {
    for (const wake of sleepers.splice(0))
      wake();
  };
  let closed = false;
  let failure;
  let done = 0;
  const worker = async (client) => {
    for (; ; ) {
      if (failure)
        return;
      const next = queue.shift();
      if (next === void 0) {
        if (closed)
          return;
        await new Promise((resolve) => sleepers.push(resolve));
        continue;
      }
      try {
        await client.unsafe(next);
      } catch (error) {
        failure ??= error;
        wakeAll();
        return;
      }
      done += 1;
      onDone?.(done, objects.length);
    }
  };
  const enqueue = (statements) => {
    queue.push(...statements);
    wakeAll();
  };
  let running = Promise.all(clients.map(worker));
  const close = async () => {
    closed = true;
    queue.length = 0;
    wakeAll();
    await running;
    await Promise.all(clients.map((c) => c.end({ timeout: 5 })));
  };
  return {
    /** The table ("schema.name") has all its rows: its keys and indexes may be built. */
    tableLoaded(key) {
      const statements = waiting.get(key);
      if (!statements || !overlap)
        return;
      waiting.delete(key);
      enqueue(statements);
    },
    async finish() {
      try {
        enqueue([...waiting.values()].flat());
        waiting.clear();
        closed = true;
        wakeAll();
        await running;
        if (failure)
          throw failure;
        queue.push(...objects.filter((o) => o.kind === "foreign-key").map((o) => o.create));
        running = Promise.all(clients.map(worker));
        await running;
        if (failure)
          throw failure;
        for (const statement of objects.flatMap((o) => o.after))
          await clients[0].unsafe(statement);
      } finally {
        await close();
      }
    },
    /** Stops early (the load failed): lets the statements in flight end, closes the connections. */
    close
  };
}

// dist/restore/rebuild-schema.js
async function migrateFiles(config, url, files) {
  const run = await runMigrations(url, files, "migrate");
  if (run.stopped)
    throw new RbError(`dbmate was stopped by ${run.stopped.signal}`);
  if (run.failure)
    throw failureError(run.failure, describeFailure(run.failure, (p) => relativeToProject(config, p)));
}

// dist/restore/sequences.js
async function raiseSequences(sql, tables) {
  if (tables.length === 0)
    return 0;
  const owned = await sql`
    select s.seqrelid::regclass::text as seq, c.oid::regclass::text as tbl, quote_ident(a.attname) as col
    from pg_depend d
    join pg_sequence s on s.seqrelid = d.objid
    join pg_class c on c.oid = d.refobjid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum = d.refobjsubid
    join unnest(${tables.map((t) => t.schema)}::text[], ${tables.map((t) => t.name)}::text[]) as t(schema, name)
      on t.schema = n.nspname and t.name = c.relname
    where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
      and s.seqincrement > 0`;
  let moved = 0;
  for (const { seq, tbl, col } of owned) {
    const [row] = await sql.unsafe(`select coalesce((select setval('${seq.replace(/'/g, "''")}', m, true) is not null
                         from (select max(${col})::bigint as m from ${tbl}) x, ${seq} s
                         where m is not null and (m > s.last_value or (m = s.last_value and not s.is_called))), false) as moved`);
    if (row.moved)
      moved += 1;
  }
  return moved;
}

// dist/restore/swap-database.js
var ATTEMPTS = 5;
async function endSessions(admin, database) {
  const rows = await admin`
    select pid, application_name as application, usename as user, host(client_addr) as client, pg_terminate_backend(pid) as ended
    from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid() and backend_type = 'client backend'`;
  return rows.map(({ pid, application, user, client }) => ({ pid, application, user, client }));
}
async function waitUntilIdle(admin, databases) {
  for (let i = 0; i < 500; i += 1) {
    const [row] = await admin`select count(*)::int as n from pg_stat_activity where datname = any(${databases}) and pid <> pg_backend_pid() and backend_type = 'client backend'`;
    if (row.n === 0)
      return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
async function swapInDatabase(admin, names) {
  const ended = [];
  for (let attempt = 1; ; attempt += 1) {
    if (names.localExists)
      ended.push(...await endSessions(admin, names.local));
    ended.push(...await endSessions(admin, names.work));
    await waitUntilIdle(admin, [names.local, names.work]);
    try {
      await admin.begin(async (tx) => {
        if (names.localExists)
          await tx.unsafe(`alter database ${quoteIdent(names.local)} rename to ${quoteIdent(names.replaced)}`);
        await tx.unsafe(`alter database ${quoteIdent(names.work)} rename to ${quoteIdent(names.local)}`);
        const comment = names.comment === null ? "null" : `'${names.comment.replace(/'/g, "''")}'`;
        await tx.unsafe(`comment on database ${quoteIdent(names.local)} is ${comment}`);
      });
      break;
    } catch (error) {
      if (error.code !== "55006")
        throw error;
      if (attempt === ATTEMPTS) {
        throw new RbError(`sessions kept connecting to ${names.local} while rb tried to swap the restored database in (${attempt} attempts); stop the app or whatever reconnects to it and run the restore again`);
      }
    }
  }
  if (!names.localExists)
    return { ended };
  try {
    await admin.unsafe(`drop database if exists ${quoteIdent(names.replaced)} with (force)`);
    return { ended };
  } catch (error) {
    return { ended, dropFailure: error instanceof Error ? error.message : String(error) };
  }
}

// dist/restore/restore-dump.js
async function assertSuperuser(admin, url) {
  const [row] = await admin`select rolsuper, current_user as user from pg_roles where rolname = current_user`;
  if (!row?.rolsuper) {
    throw new RefusedError(`the local role "${row?.user}" on ${describeUrl(url)} is not a superuser, and loading data with triggers (foreign keys) disabled needs one; connect as a superuser (the embedded server's "postgres" is one)`);
  }
}
async function restoreDump(config, target, file, options = {}) {
  const started = performance.now();
  const phases = [];
  const report = options.onProgress;
  const jobs = options.jobs ?? 1;
  const signal = options.signal;
  await assertLocalTarget(target);
  const localName = parseDatabaseUrl(target.url).database;
  let work;
  let workName;
  let swapped = false;
  const phase = async (name, run) => {
    const start = performance.now();
    report?.(`${name}...`);
    try {
      if (signal?.aborted)
        throw new InterruptedError("stopped", stopSignalOf(signal));
      return await run();
    } catch (error) {
      const state = !workName ? "the local database was not touched" : !swapped ? "the local database was not changed" : "the data is restored at production's version; fix the migration and run rb upgrade";
      if (signal?.aborted) {
        const next = swapped ? "the data is restored at production's version; run rb upgrade for the newer migrations" : state;
        throw new InterruptedError(`restore stopped in phase "${name}" (${stopSignalOf(signal)}); ${next}`, stopSignalOf(signal));
      }
      if (!workName && error instanceof RbError)
        throw error;
      const message = maskUrl(error instanceof Error ? error.message : String(error));
      throw new RbError(`restore failed in phase "${name}": ${message}; ${state}`, error instanceof RbError ? error.exitCode : 1);
    } finally {
      phases.push({ phase: name, seconds: (performance.now() - start) / 1e3 });
    }
  };
  const plan = await phase("read dump", () => planRestore(config, file, options));
  let admin;
  const abort = new AbortController();
  let dumpCounts;
  let swapping = false;
  const stopWork = () => {
    if (!admin || !workName || swapping)
      return;
    admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${workName} and pid <> pg_backend_pid()`.then(() => void 0, () => void 0);
  };
  signal?.addEventListener("abort", stopWork);
  try {
    await phase("check local database", async () => {
      admin = await connectMaintenance(target.url, localName);
      await assertSuperuser(admin, target.url);
      const leftovers = await dropLeftoverDatabases(admin);
      for (const l of leftovers.dropped)
        report?.(`dropped ${l.name}, left by an earlier ${l.kind === "analyze" ? "rb upgrade --analyze" : "restore"} whose process (pid ${l.owner.pid}) is gone`);
      for (const l of leftovers.otherHost) {
        report?.(`left ${l.name} alone: an earlier restore on another host made it (${l.note ?? "no note"}); once that run is over, drop it with: DROP DATABASE "${l.name}"`);
      }
    });
    const maintenance = admin;
    await phase("rebuild schema", async () => {
      workName = workDatabaseName(localName, "restore");
      work = await createWorkDatabase(maintenance, target.url, localName, workName);
      report?.(`rebuild: migrating ${work.name} to production's version ${plan.productionVersion} (${plan.rebuild.length} migrations)`);
      await migrateFiles(config, work.url, plan.rebuild);
    });
    const workDb = work;
    const sql = connect(workDb.url, { max: 1, connection: QUALIFIED });
    let tables;
    let sequencesRaised;
    try {
      const builder = await phase("load data", async () => {
        await assertSchemaHoldsDump(sql, plan);
        const objects = await captureDeferred(sql, plan.loadTables);
        await dropDeferred(sql, objects);
        if (plan.loadTables.length)
          await sql.unsafe(`truncate ${plan.loadTables.map(qualifiedName).join(", ")}`);
        const progress = throttled(report);
        const indexes = startIndexBuilder(workDb.url, objects, jobs, (done, total) => progress(`indexes: ${done}/${total} keys, indexes and constraints`, done === total));
        try {
          await loadData(plan, workDb.url, jobs, (key) => indexes.tableLoaded(key), report);
          dumpCounts = withScratchDir(async (dir) => {
            const list = path.join(dir, "count.list");
            writeRestoreList(list, plan.load.filter((e) => e.kind === "TABLE DATA"));
            return countDumpRows(plan.toc.file, list, abort.signal);
          });
          dumpCounts.catch(() => void 0);
        } catch (error) {
          await indexes.close();
          throw error;
        }
        return indexes;
      });
      await phase("build indexes", () => builder.finish());
      sequencesRaised = await phase("sequences", () => raiseSequences(sql, [...plan.loadTables, ...plan.excludedTables]));
      tables = await phase("verify", async () => {
        const expected = await dumpCounts;
        const actual = await countRows(sql, [...plan.loadTables, ...plan.excludedTables]);
        const wrong = plan.loadTables.map((t) => `${t.schema}.${t.name}`).filter((key) => (expected.get(key) ?? 0) !== actual.get(key)).map((key) => `${key} has ${actual.get(key)} rows, the dump ${expected.get(key) ?? 0}`);
        if (wrong.length)
          throw new RbError(`row counts differ: ${wrong.join("; ")}`);
        return [
          ...plan.loadTables.map((t) => ({ table: `${t.schema}.${t.name}`, rows: actual.get(`${t.schema}.${t.name}`), excluded: false })),
          ...plan.excludedTables.map((t) => ({ table: `${t.schema}.${t.name}`, rows: actual.get(`${t.schema}.${t.name}`), excluded: true }))
        ];
      });
    } finally {
      await sql.end({ timeout: 5 });
    }
    const replaced = workDatabaseName(localName, "replaced");
    const swap = await phase("swap", async () => {
      swapping = true;
      const result = await swapInDatabase(maintenance, {
        work: workDb.name,
        local: localName,
        replaced,
        localExists: workDb.local !== void 0,
        comment: workDb.local?.comment ?? null
      });
      swapped = true;
      return result;
    });
    const pendingSkipped = options.pending === false ? checkProductionVersions(config, plan.productionVersions).pending.map((m) => m.fileName) : [];
    if (plan.pending.length)
      await phase("pending migrations", () => migrateFiles(config, target.url, plan.pending));
    return {
      file,
      database: localName,
      productionVersion: plan.productionVersion,
      rebuilt: plan.rebuild.map((f) => f.fileName),
      pendingApplied: plan.pending.map((f) => f.fileName),
      pendingSkipped,
      tables,
      omitted: plan.omitted.map((t) => `${t.schema}.${t.name}`),
      otherToolTables: plan.otherToolTables.map((t) => ({ table: `${t.schema}.${t.name}`, tool: t.tool })),
      rows: tables.reduce((sum, t) => sum + t.rows, 0),
      sequencesRaised,
      endedSessions: swap.ended,
      replacedDatabase: replaced,
      replacedDropFailure: swap.dropFailure,
      phases,
      seconds: (performance.now() - started) / 1e3
    };
  } catch (error) {
    if (workName && !swapped && admin) {
      try {
        await dropDatabase(admin, workName);
      } catch (dropError) {
        if (!(error instanceof RbError))
          throw error;
        const why = dropError instanceof Error ? dropError.message : String(dropError);
        throw new RbError(`${error.message}; the work database ${workName} could not be dropped (${why}): the next restore drops it`, error.exitCode);
      }
    }
    throw error;
  } finally {
    signal?.removeEventListener("abort", stopWork);
    abort.abort();
    await admin?.end({ timeout: 5 });
  }
}

// dist/commands/restore-commands.js
function patterns(flag, value, example) {
  const list = value === void 0 ? [] : [value].flat().map(String);
  if (list.some((p) => !p.trim()))
    throw new UsageError(`${flag} needs a table pattern, as in ${flag} ${example}`);
  return list;
}
function restoreOptions(flags, io) {
  const excludeTableData = patterns("--exclude-table-data", flags.excludeTableData, "app.audit_log");
  const excludeTable = patterns("--exclude-table", flags.excludeTable, "public.legacy_notes");
  let jobs = 1;
  if (flags.jobs !== void 0) {
    jobs = Number(flags.jobs);
    if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)
      throw new UsageError(`--jobs ${flags.jobs} is not a number of jobs; use a whole number from 1 to 64, such as --jobs 2`);
  }
  return { excludeTableData, excludeTable, jobs, pending: flags.pending !== false, onProgress: (line) => io.err(`rb: ${line}`) };
}
async function localTarget(flags) {
  if (flags.prod) {
    throw new RefusedError("rb restores into the local database only; run it without --prod (the dump is read from PROD_DATABASE_URL or the file you name)");
  }
  const config = loadConfig();
  const target = await resolveTarget(config, { databaseUrl: flags.databaseUrl });
  await assertLocalTarget(target);
  return { config, target };
}
function describeSession(s) {
  const who = [s.application, `${s.user}@${s.client ?? "local socket"}`].filter(Boolean).join(", ");
  return `pid ${s.pid} (${who})`;
}
function formatSummary(summary, where) {
  const width = Math.max(10, ...[...summary.tables, ...summary.otherToolTables].map((t) => t.table.length), ...summary.omitted.map((t) => t.length));
  const lines = [`Restored ${summary.file} into ${where}`, `production version: ${summary.productionVersion} (schema rebuilt with ${summary.rebuilt.length} migrations)`];
  for (const t of summary.tables)
    lines.push(`  ${t.table.padEnd(width)}  ${t.excluded ? `data excluded (${t.rows} rows)` : `${t.rows} rows`}`);
  for (const t of summary.omitted)
    lines.push(`  ${t.padEnd(width)}  left out (--exclude-table)`);
  for (const t of summary.otherToolTables)
    lines.push(`  ${t.table.padEnd(width)}  left out (${t.tool}'s tracking table)`);
  for (const file of summary.pendingApplied)
    lines.push(`Applied pending: ${file}`);
  for (const file of summary.pendingSkipped)
    lines.push(`Not applied (--no-pending): ${file}`);
  const loaded = summary.tables.filter((t) => !t.excluded);
  lines.push(`${loaded.length} tables, ${summary.rows} rows; every table's row count equals the dump's; ${summary.sequencesRaised} sequence(s) raised to the highest id`);
  const ended = summary.endedSessions;
  if (ended.length) {
    lines.push(`Ended ${ended.length} session(s) on ${summary.database} to swap the restored database in: ${ended.map(describeSession).join("; ")}`);
  }
  if (summary.replacedDropFailure) {
    lines.push(`Warning: the previous ${summary.database} (now named ${summary.replacedDatabase}) could not be dropped (${summary.replacedDropFailure}); the next restore drops it`);
  }
  lines.push(`time: ${summary.phases.map((p) => `${p.phase} ${p.seconds.toFixed(2)}s`).join(", ")}; total ${summary.seconds.toFixed(2)}s`);
  return lines;
}
function removeLeftovers(config, io) {
  for (const file of removeLeftoverDumps(config))
    io.err(`rb: removed ${file}, a partial dump (production data) left by an earlier run that was killed`);
  removeLeftoverScratchDirs();
}
async function restoreToDumpCommand(file, flags, io) {
  const options = restoreOptions(flags, io);
  if (flags.keepDump)
    io.err("rb: --keep-dump has no effect with restore-to-dump: rb never deletes a dump file you name");
  const { config, target } = await localTarget(flags);
  const absolute = path2.resolve(file);
  if (existsSync(absolute) && (statSync(absolute).mode & 63) !== 0) {
    io.err(`rb: warning: ${file} is readable by other users (mode ${(statSync(absolute).mode & 511).toString(8)}) and holds production data; chmod 600 ${file}`);
  }
  removeLeftovers(config, io);
  const summary = await interruptible(({ signal }) => restoreDump(config, target, absolute, { ...options, signal }));
  summary.file = relativeToProject(config, summary.file);
  for (const line of formatSummary(summary, targetLabel(target)))
    io.out(line);
}
async function dumpAndRestoreCommand(flags, io) {
  const options = restoreOptions(flags, io);
  const { config, target } = await localTarget(flags);
  removeLeftovers(config, io);
  const summary = await interruptible(async ({ signal }) => {
    let dump;
    try {
      dump = await dumpProduction(config, { excludeTableData: options.excludeTableData, excludeTable: options.excludeTable, onProgress: options.onProgress });
    } catch (error) {
      if (!signal.aborted)
        throw error;
      const stop = stopSignalOf(signal);
      throw new InterruptedError(`dump-and-restore stopped (${stop}) while pg_dump ran; the partial dump was removed and the local database was not touched`, stop);
    }
    const relative = relativeToProject(config, dump.file);
    io.err(`rb: dumped production at version ${dump.productionVersion} in ${dump.seconds.toFixed(2)}s to ${relative} (mode 0600)`);
    try {
      return { ...await restoreDump(config, target, dump.file, { ...options, signal }), file: relative };
    } catch (error) {
      if (!(error instanceof RbError))
        throw error;
      const kept = `the dump is kept at ${relative} (production data: delete it when done), restore it with rb restore-to-dump ${relative}`;
      if (error instanceof InterruptedError)
        throw new InterruptedError(`${error.message}; ${kept}`, error.signal);
      throw new RbError(`${error.message}; ${kept}`, error.exitCode);
    }
  });
  for (const line of formatSummary(summary, targetLabel(target)))
    io.out(line);
  const absolute = path2.resolve(config.projectDir, summary.file);
  if (flags.keepDump)
    io.out(`Kept ${summary.file} (production data, mode 0600)`);
  else {
    rmSync(absolute, { force: true });
    io.out(`Deleted ${summary.file}`);
  }
}
export {
  dumpAndRestoreCommand,
  formatSummary,
  restoreOptions,
  restoreToDumpCommand
};
