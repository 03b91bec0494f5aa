import {
  guardProduction
} from "./chunk-WCGRPLJ2.js";
import {
  migrateBatches,
  runBatch
} from "./chunk-F2VM4MHE.js";
import {
  RESOLVE_FAILED_HINT,
  describeNonTransactionalFailure,
  listInvalidIndexes,
  outOfOrderEntries,
  refuseFailedMigrations,
  refuseUnsafe
} from "./chunk-CXK23MUU.js";
import {
  endOwnSessions,
  withMigrationLock
} from "./chunk-75RHIA2Z.js";
import {
  combineStatus
} from "./chunk-AJG3EPZD.js";
import {
  RUNNING_MARK,
  deleteRecords,
  ensureRbMigrationsTable,
  fileChecksum,
  readRbRecords,
  recordApplied,
  recordFailed,
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
import {
  stopSignalOf
} from "./chunk-NMHWLE4Q.js";
import {
  listMigrations,
  readMigrations
} from "./chunk-LC5NCFF3.js";
import {
  withClient
} from "./chunk-EKB3CR5R.js";
import {
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import {
  ConnectionError,
  InterruptedError,
  MigrationError
} from "./chunk-RVO3MYFU.js";

// dist/migrations/stopped-migration.js
async function settleStoppedFile(sql, command, current, marked) {
  await endOwnSessions(sql);
  const applied = new Set(await readAppliedVersions(sql));
  if (current && applied.has(current.version) === (command === "migrate")) {
    if (command === "migrate")
      await recordApplied(sql, current.version, current.fileName, fileChecksum(current.path));
    else
      await deleteRecords(sql, [current.version]);
    return { finished: current };
  }
  if (!current) {
    if (marked)
      await deleteRecords(sql, [marked.file.version]);
    return {};
  }
  const section = command === "migrate" ? current.up : current.down;
  if (section.options.transaction !== "false")
    return { cutOff: { file: current, transactional: true, invalidIndexes: [] } };
  const before = new Set(marked?.invalidBefore ?? []);
  const invalidIndexes = (await listInvalidIndexes(sql)).filter((name) => !before.has(name));
  if (marked) {
    await recordFailed(sql, {
      version: current.version,
      fileName: current.fileName,
      checksum: fileChecksum(current.path),
      error: `${marked.cause} while it ran outside a transaction; it may have run part-way`,
      invalidIndexes
    });
  }
  return { cutOff: { file: current, transactional: false, invalidIndexes } };
}
function stopCause(asked, childSignal) {
  if (asked?.aborted) {
    const stop = stopSignalOf(asked);
    return { cause: `cut off by ${stop}`, stop };
  }
  return { cause: `cut off when dbmate was ended by ${childSignal}` };
}
function describeInterruption(why, state) {
  const { command, files, done, cutOff } = state;
  const verb = command === "migrate" ? "applied" : "rolled back";
  const parts = [done.length ? `${verb} ${done.map((f) => f.fileName).join(", ")}` : `nothing was ${verb}`];
  if (cutOff) {
    const name = cutOff.file.fileName;
    if (cutOff.transactional) {
      parts.push(command === "migrate" ? `${name} was cut off and rolled back` : `rolling back ${name} was cut off and undone (it stays applied)`);
    } else if (command === "migrate") {
      const indexes = cutOff.invalidIndexes.length ? `; it left INVALID index ${cutOff.invalidIndexes.join(", ")}: drop it (drop index concurrently ${cutOff.invalidIndexes.join(", ")})` : "";
      parts.push(`${name} runs outside a transaction (transaction:false), was cut off and may have run part-way: rb recorded it as failed${indexes}; ${RESOLVE_FAILED_HINT}`);
    } else {
      parts.push(`the down section of ${name} runs outside a transaction (transaction:false) and was cut off part-way: it stays applied; check what it undid before rolling it back again`);
    }
  }
  const notRun = files.length - done.length - (cutOff ? 1 : 0);
  if (notRun > 0)
    parts.push(`${notRun} more not run`);
  if (done.length && !state.isProduction)
    parts.push(`${relativeToProject(state.config, state.config.schemaFile)} was not rewritten`);
  if (!(cutOff && !cutOff.transactional && command === "migrate")) {
    parts.push(command === "migrate" ? "run rb upgrade again to apply the rest" : "run rb downgrade again to roll back the rest");
  }
  if (why.stop)
    return new InterruptedError(`stopped by ${why.stop}: ${parts.join("; ")}`, why.stop);
  return new MigrationError(`dbmate stopped (${why.cause.replace(/^cut off when /, "")}): ${parts.join("; ")}`);
}
function unlessStopped(work, signal, nothingDone) {
  if (!signal)
    return work;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      const stop = stopSignalOf(signal);
      reject(new InterruptedError(`stopped by ${stop}; ${nothingDone}`, stop));
    };
    if (signal.aborted)
      return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

// dist/migrations/apply-pending.js
async function applyPending(config, target, options, files, acceptEdits) {
  await unlessStopped(guardProduction(target, {
    action: "apply migrations",
    plan: [
      ...acceptEdits.map((e) => `accept the edited ${e.fileName} (record its new checksum)`),
      ...files.map((f) => `apply ${f.fileName}`)
    ],
    yes: options.yes,
    confirm: options.confirm,
    announce: options.announce
  }), options.signal, "nothing was applied");
  return withMigrationLock(target.url, lockOptions(options), (lock) => withClient(target.url, (sql) => applyLocked(config, target, options, sql, lock)));
}
function lockOptions(options) {
  return {
    onWait: (wait) => options.onEvent?.({ kind: "lock-wait", ...wait }),
    onSessionWait: (wait) => options.onEvent?.({ kind: "session-wait", ...wait }),
    signal: options.signal
  };
}
async function applyLocked(config, target, options, sql, lock) {
  await ensureRbMigrationsTable(sql);
  const status = combineStatus(listMigrations(config.migrationsDir), await readAppliedVersions(sql), await readRbRecords(sql));
  if (status.failed.length && !options.retryFailed)
    refuseFailedMigrations(config, status.failed, await listInvalidIndexes(sql));
  refuseUnsafe(config, target, status, options);
  if (options.retryFailed) {
    const files2 = new Set(listMigrations(config.migrationsDir).map((e) => e.version));
    await deleteRecords(sql, status.failed.filter((r) => !files2.has(r.version)).map((r) => r.version));
  }
  for (const entry of status.unrecorded)
    await recordApplied(sql, entry.version, entry.fileName, fileChecksum(entry.path));
  if (options.allowEdited) {
    for (const entry of status.edited) {
      await recordApplied(sql, entry.version, entry.fileName, fileChecksum(entry.path));
      options.onEvent?.({ kind: "edit-accepted", fileName: entry.fileName });
    }
  }
  const files = readMigrations(config.migrationsDir, status.pending, config.projectDir);
  const settings = options.timeouts ?? defaultTimeoutSettings();
  const done = [];
  const show = (filePath) => relativeToProject(config, filePath);
  for (const batch of migrateBatches(files, settings)) {
    await lock.assertHeld();
    const transactional = batch[0].up.options.transaction !== "false";
    const invalidBefore = transactional ? [] : await listInvalidIndexes(sql);
    if (!transactional) {
      await recordFailed(sql, {
        version: batch[0].version,
        fileName: batch[0].fileName,
        checksum: fileChecksum(batch[0].path),
        error: RUNNING_MARK,
        invalidIndexes: []
      });
    }
    const outcome = await runBatch(target.url, batch, "migrate", transactional ? settings : { ...settings, lockRetries: 0 }, {
      onRetry: (retry) => options.onEvent?.({ kind: "lock-retry", ...retry }),
      signal: options.signal
    });
    if (outcome.failure?.failure.connectionLost)
      throw connectionLost(done, outcome, transactional);
    for (const file2 of outcome.done)
      await recordApplied(sql, file2.version, file2.fileName, fileChecksum(file2.path));
    done.push(...outcome.done);
    if (outcome.stopped) {
      const why = stopCause(options.signal, outcome.stopped.signal);
      const marked = transactional ? void 0 : { file: batch[0], invalidBefore, cause: why.cause };
      const settled = await settleStoppedFile(sql, "migrate", outcome.stopped.current, marked);
      if (settled.finished)
        done.push(settled.finished);
      throw describeInterruption(why, { config, command: "migrate", files, done, cutOff: settled.cutOff, isProduction: target.isProduction });
    }
    if (!outcome.failure)
      continue;
    const { failure, attempts, lockTimedOut, lockTimeout } = outcome.failure;
    if (done.length && !target.isProduction)
      await writeSchemaFileWithoutBookkeeping(config, target.url);
    const file = failure.file;
    if (!file) {
      if (!transactional)
        await deleteRecords(sql, [batch[0].version]);
      throw new MigrationError(`${describeFailure(failure, show)}; nothing more was applied; fix the problem and run rb upgrade again`);
    }
    const text = describeFailure(failure, show);
    if (!transactional) {
      const before = new Set(invalidBefore);
      const newInvalid = (await listInvalidIndexes(sql)).filter((name) => !before.has(name));
      await recordFailed(sql, { version: file.version, fileName: file.fileName, checksum: fileChecksum(file.path), error: text, invalidIndexes: newInvalid });
      throw new MigrationError(describeNonTransactionalFailure(text, file.fileName, newInvalid));
    }
    const rest = restOf(files, done);
    if (lockTimedOut) {
      throw new MigrationError(`${text}; ${file.fileName} could not get a lock within lock_timeout ${lockTimeout} in ${attempts} attempts and was rolled back${rest}; another session holds a lock on a table it changes (see pg_locks / pg_stat_activity): run rb upgrade again once that session is done, or allow a longer wait with --lock-timeout 30s or a line "-- rb: lock_timeout=30s" in the file`);
    }
    throw new MigrationError(`${text}; ${file.fileName} was rolled back${rest}; fix it and run rb upgrade again`);
  }
  const applied = done.map((f) => status.pending.find((e) => e.version === f.version));
  const outOfOrder = outOfOrderEntries(status).filter((e) => done.some((f) => f.version === e.version));
  const schemaFile = target.isProduction || done.length === 0 ? void 0 : await writeSchemaFileWithoutBookkeeping(config, target.url);
  return { applied, outOfOrder, dryRun: false, schemaFile };
}
function restOf(files, done) {
  const notRun = files.length - done.length - 1;
  return `${done.length ? `, ${done.length} earlier migration(s) stay applied` : ""}${notRun ? `, ${notRun} later one(s) not run` : ""}`;
}
function connectionLost(done, outcome, transactional) {
  const failure = outcome.failure.failure;
  const applied = [...done, ...outcome.done];
  const file = failure.file;
  const what = !file ? "before dbmate started a migration" : transactional ? `while ${file.fileName} ran; the server rolled it back` : `while ${file.fileName} ran outside a transaction (transaction:false); it may have run part-way and is recorded as failed (rb upgrade refuses it until resolved)`;
  const appliedText = applied.length ? `${applied.length} migration(s) before it stay applied` : "nothing was applied";
  return new ConnectionError(`lost the connection to the database ${what}: ${failure.message}${failure.sqlState ? ` (SQLSTATE ${failure.sqlState})` : ""}; ${appliedText}; once the server is reachable, run rb status and rb upgrade again`);
}

export {
  settleStoppedFile,
  stopCause,
  describeInterruption,
  unlessStopped,
  applyPending,
  lockOptions
};
