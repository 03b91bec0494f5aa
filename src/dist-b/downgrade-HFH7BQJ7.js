import {
  describeInterruption,
  lockOptions,
  settleStoppedFile,
  stopCause,
  unlessStopped
} from "./chunk-HFBZANS3.js";
import {
  guardProduction
} from "./chunk-WCGRPLJ2.js";
import {
  runBatch
} from "./chunk-F2VM4MHE.js";
import "./chunk-CXK23MUU.js";
import {
  withMigrationLock
} from "./chunk-75RHIA2Z.js";
import "./chunk-AJG3EPZD.js";
import {
  deleteRecords,
  fileChecksum,
  readRbRecords,
  writeSchemaFileWithoutBookkeeping
} from "./chunk-HCAWX5Z5.js";
import {
  readAppliedVersions
} from "./chunk-MDXE5UZ2.js";
import {
  describeFailure
} from "./chunk-H26FYK5V.js";
import {
  defaultTimeoutSettings
} from "./chunk-LHYBNGSH.js";
import "./chunk-J3NTZTBQ.js";
import "./chunk-2M3JEVIH.js";
import {
  identifyTarget
} from "./chunk-LWDHCSGX.js";
import "./chunk-NMHWLE4Q.js";
import "./chunk-IUNTMCXC.js";
import {
  compareVersions,
  listMigrations,
  readMigrations
} from "./chunk-LC5NCFF3.js";
import {
  isEmptySection
} from "./chunk-7U3JJN2P.js";
import "./chunk-GX35TSEW.js";
import "./chunk-APFTIODY.js";
import {
  withClient
} from "./chunk-EKB3CR5R.js";
import "./chunk-ZES4J75L.js";
import {
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import {
  ConnectionError,
  MigrationError,
  RefusedError,
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/migrations/downgrade.js
function parseSteps(value) {
  if (value === void 0 || value === "")
    return 1;
  const text = String(value).trim();
  if (!/^-?\d+$/.test(text) || Number(text) === 0) {
    throw new UsageError(`downgrade steps must be a number of migrations, 1 or more, such as 1, 2 or -1 (got "${text}")`);
  }
  return Math.abs(Number(text));
}
async function downgrade(config, target, options) {
  const [appliedVersions, records] = await withClient(target.url, (sql) => Promise.all([readAppliedVersions(sql), readRbRecords(sql)]));
  const applied = appliedVersions.sort(compareVersions);
  if (applied.length === 0) {
    throw new UsageError("nothing to roll back: no migration is applied to this database");
  }
  if (options.steps > applied.length) {
    throw new UsageError(`cannot roll back ${options.steps} migrations: only ${applied.length} applied; run rb downgrade ${applied.length} to roll back all of them`);
  }
  const entries = listMigrations(config.migrationsDir);
  const byVersion = new Map(entries.map((e) => [e.version, e]));
  const toRollBack = applied.slice(-options.steps).reverse();
  const missing = toRollBack.filter((v) => !byVersion.has(v));
  if (missing.length) {
    throw new UsageError(`cannot roll back version ${missing.join(", ")}: no file for it in ${relativeToProject(config, config.migrationsDir)}; restore the file (git log -- ${relativeToProject(config, config.migrationsDir)}) first`);
  }
  const files = readMigrations(config.migrationsDir, toRollBack.map((v) => byVersion.get(v)), config.projectDir);
  refuseIrreversible(config, files);
  const edited = files.filter((f) => {
    const record = records.get(f.version);
    return record?.state === "applied" && record.checksum !== fileChecksum(f.path);
  });
  await identifyTarget(target);
  if (edited.length && target.isProduction && !options.allowEdited) {
    const names = edited.map((f) => f.fileName).join(", ");
    throw new RefusedError(`refusing to roll back ${names} on production: edited after it was applied (the checksum rb recorded differs), so its down section may not undo what production ran; put the applied text back (git checkout -- db/migrations/<file>) or pass --allow-edited`);
  }
  for (const file of edited)
    options.onEvent?.({ kind: "edited-rollback", fileName: file.fileName });
  if (options.dryRun)
    return { rolledBack: files.map((f) => f.fileName), dryRun: true };
  await unlessStopped(guardProduction(target, {
    action: `roll back ${files.length} migration(s)`,
    plan: files.map((f) => `roll back ${f.fileName}`),
    yes: options.yes,
    confirm: options.confirm,
    announce: options.announce
  }), options.signal, "nothing was rolled back");
  const done = [];
  let schemaFile;
  const show = (filePath) => relativeToProject(config, filePath);
  await withMigrationLock(target.url, lockOptions(options), (lock) => withClient(target.url, async (sql) => {
    const appliedNow = (await readAppliedVersions(sql)).sort(compareVersions);
    if (appliedNow.join() !== applied.join()) {
      throw new MigrationError("the applied migrations changed while rb waited for the migration lock (another rb migrated this database); nothing was rolled back; run rb downgrade again");
    }
    for (const file of files) {
      await lock.assertHeld();
      const outcome = await runBatch(target.url, [file], "rollback", options.timeouts ?? defaultTimeoutSettings(), {
        onRetry: (retry) => options.onEvent?.({ kind: "lock-retry", ...retry }),
        signal: options.signal
      });
      const before = done.length ? ` (rolled back before it: ${done.map((f) => f.fileName).join(", ")})` : "";
      const failure = outcome.failure?.failure;
      if (failure?.connectionLost) {
        throw new ConnectionError(`lost the connection to the database while rolling back ${file.fileName}: ${failure.message}; ${file.down.options.transaction === "false" ? "its down section runs outside a transaction and may have run part-way" : "the server undid its unfinished down section, so it stays applied"}${before}; once the server is reachable, run rb status and rb downgrade again`);
      }
      if (outcome.stopped) {
        const settled = await settleStoppedFile(sql, "rollback", outcome.stopped.current, void 0);
        if (settled.finished)
          done.push(settled.finished);
        throw describeInterruption(stopCause(options.signal, outcome.stopped.signal), { config, command: "rollback", files, done, cutOff: settled.cutOff, isProduction: target.isProduction });
      }
      if (failure) {
        if (!target.isProduction && done.length)
          await writeSchemaFileWithoutBookkeeping(config, target.url);
        throw new MigrationError(`${describeFailure(failure, show)}; rolling back ${file.fileName} failed and changed nothing${before}; fix its down section and run rb downgrade again`);
      }
      await deleteRecords(sql, [file.version]);
      done.push(file);
    }
    if (!target.isProduction)
      schemaFile = await writeSchemaFileWithoutBookkeeping(config, target.url);
  }));
  return { rolledBack: done.map((f) => f.fileName), dryRun: false, schemaFile };
}
function refuseIrreversible(config, files) {
  const lines = [];
  for (const f of files) {
    const mark = f.directives.irreversible;
    if (mark) {
      lines.push(`${relativeToProject(config, f.path)}:${mark.line}: marked irreversible${mark.reason ? ` (${mark.reason})` : ""}, so rb downgrade will not roll it back; nothing was rolled back; undo its change in a new migration (rb new-migration), or restore a dump taken before it`);
    } else if (isEmptySection(f.down) && !isEmptySection(f.up)) {
      lines.push(`${relativeToProject(config, f.path)}:${f.down.line}: the down section is empty, so a rollback would only forget the migration and keep its changes; nothing was rolled back; write SQL that undoes the up there (or mark it '-- rb:irreversible <reason>')`);
    }
  }
  if (lines.length)
    throw new UsageError(lines.join("\n"));
}
export {
  downgrade,
  parseSteps
};
