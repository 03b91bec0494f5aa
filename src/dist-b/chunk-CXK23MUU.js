import {
  migrationStatus
} from "./chunk-AJG3EPZD.js";
import {
  RUNNING_MARK
} from "./chunk-HCAWX5Z5.js";
import {
  identifyTarget
} from "./chunk-LWDHCSGX.js";
import {
  readMigrations
} from "./chunk-LC5NCFF3.js";
import {
  transactionFalseProblem
} from "./chunk-7U3JJN2P.js";
import {
  withClient
} from "./chunk-EKB3CR5R.js";
import {
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import {
  MigrationError,
  RefusedError,
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/migrations/failed-migrations.js
import path from "node:path";
async function listInvalidIndexes(sql) {
  const rows = await sql`
    select format('%I.%I', n.nspname, c.relname) as name
      from pg_index i
      join pg_class c on c.oid = i.indexrelid
      join pg_namespace n on n.oid = c.relnamespace
     where not i.indisvalid
     order by 1`;
  return rows.map((r) => r.name);
}
function relativePath(config, fileName) {
  return path.relative(config.projectDir, path.join(config.migrationsDir, fileName));
}
var RESOLVE_FAILED_HINT = "undo or finish by hand what it applied, make the file safe to re-run (IF NOT EXISTS / IF EXISTS), then run rb upgrade --retry-failed";
function dropHint(indexes) {
  if (indexes.length === 0)
    return "";
  const list = indexes.join(", ");
  return `; it left INVALID index ${list}: drop ${indexes.length > 1 ? "them" : "it"} (drop index concurrently ${list})`;
}
function describeNonTransactionalFailure(sqlFailure, fileName, newInvalid) {
  return `${sqlFailure}; ${fileName} runs outside a transaction (transaction:false), so statements before the error stay applied and rb recorded it as failed${dropHint(newInvalid)}; ${RESOLVE_FAILED_HINT}`;
}
function refuseFailedMigrations(config, failed, invalidNow) {
  if (failed.length === 0)
    return;
  const invalid = new Set(invalidNow);
  const parts = failed.map((record) => {
    const still = record.invalidIndexes.filter((name) => invalid.has(name));
    return `${relativePath(config, record.fileName)} failed part-way at ${record.recordedAt.toISOString()} (transaction:false) and is recorded as failed${record.error ? ` (${record.error})` : ""}${dropHint(still)}`;
  });
  throw new MigrationError(`${parts.join("; ")}; rb upgrade refuses until that is resolved: ${RESOLVE_FAILED_HINT}`);
}

// dist/migrations/upgrade.js
function outOfOrderEntries(status) {
  const older = new Set(status.rows.filter((row) => row.state === "pending-out-of-order").map((row) => row.version));
  return status.pending.filter((entry) => older.has(entry.version));
}
function relative(config, entry) {
  return relativeToProject(config, entry.path);
}
function misbuiltSections(file, shownAs) {
  return ["up", "down"].flatMap((kind) => {
    const problem = transactionFalseProblem(file[kind], kind);
    return problem ? [`${shownAs}:${problem.line}: ${problem.message}`] : [];
  });
}
function refuseUnsafe(config, target, status, options) {
  if (status.edited.length && !options.allowEdited) {
    const names = status.edited.map((e) => relative(config, e));
    throw new UsageError(`${names.join(", ")} ${names.length > 1 ? "were" : "was"} edited after ${names.length > 1 ? "they were" : "it was"} applied to this database (the checksum rb recorded differs); put the applied text back (git checkout -- <file>) and make the change in a new migration, or pass --allow-edited to accept the edit`);
  }
  const outOfOrder = outOfOrderEntries(status);
  if (target.isProduction && outOfOrder.length && !options.allowOutOfOrder) {
    throw new RefusedError(`refusing to apply ${outOfOrder.map((e) => e.fileName).join(", ")} to production: older than the newest applied migration ${status.current} and not recorded there (a parallel branch?), so production would run them in an order no other database did; give the file a newer version (rename it to a current timestamp) or pass --allow-out-of-order`);
  }
}
async function upgrade(config, target, options) {
  const status = await migrationStatus(config, target.url);
  if (status.unadopted && status.pending.length)
    options.onEvent?.({ kind: "unadopted", unadopted: status.unadopted, target });
  const files = readMigrations(config.migrationsDir, status.pending, config.projectDir, misbuiltSections);
  if (status.failed.some((r) => r.error !== RUNNING_MARK) && !options.retryFailed) {
    refuseFailedMigrations(config, status.failed, await withClient(target.url, listInvalidIndexes));
  }
  if (status.pending.length)
    await identifyTarget(target);
  refuseUnsafe(config, target, status, options);
  const outOfOrder = outOfOrderEntries(status);
  const acceptEdits = options.allowEdited ? status.edited : [];
  if (options.dryRun || files.length === 0 && acceptEdits.length === 0) {
    return { applied: status.pending, outOfOrder, dryRun: Boolean(options.dryRun) };
  }
  const { applyPending } = await import("./apply-pending-K2SUHZIW.js");
  return applyPending(config, target, options, files, acceptEdits);
}

export {
  listInvalidIndexes,
  RESOLVE_FAILED_HINT,
  describeNonTransactionalFailure,
  refuseFailedMigrations,
  outOfOrderEntries,
  refuseUnsafe,
  upgrade
};
