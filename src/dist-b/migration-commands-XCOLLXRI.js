import {
  describeUnadopted
} from "./chunk-BD5HN5VJ.js";
import {
  migrationStatus
} from "./chunk-AJG3EPZD.js";
import "./chunk-HCAWX5Z5.js";
import "./chunk-MDXE5UZ2.js";
import {
  configAndTarget,
  refuseTargetFlags,
  targetJson,
  targetLabel
} from "./chunk-X6FAZUW5.js";
import {
  identifyTarget
} from "./chunk-LWDHCSGX.js";
import {
  interruptible
} from "./chunk-NMHWLE4Q.js";
import "./chunk-IUNTMCXC.js";
import {
  PGTYPED_CONFIG_FILE
} from "./chunk-3Q7U43SF.js";
import "./chunk-LC5NCFF3.js";
import "./chunk-7U3JJN2P.js";
import "./chunk-GX35TSEW.js";
import "./chunk-APFTIODY.js";
import "./chunk-EKB3CR5R.js";
import {
  describeUrl
} from "./chunk-ZES4J75L.js";
import {
  loadConfig,
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import {
  RbError
} from "./chunk-RVO3MYFU.js";

// dist/commands/migration-commands.js
import { existsSync } from "node:fs";
import path from "node:path";
async function newMigrationCommand(words, flags, io) {
  refuseTargetFlags("new-migration", flags, "writes a file and touches no database");
  const { newMigration } = await import("./new-migration-BA5GEX6K.js");
  const config = loadConfig();
  const result = newMigration(config.migrationsDir, words, config.schemas[0] ?? "public");
  io.out(`Created ${relativeToProject(config, result.path)}`);
}
async function regenerateTypes(config, target, io, json) {
  if (target.isProduction || !existsSync(path.join(config.projectDir, PGTYPED_CONFIG_FILE)))
    return null;
  const { generateTypes } = await import("./generate-types-QVT7DEBU.js");
  const { reportTypes } = await import("./types-command-4UCEN4TP.js");
  let production = false;
  const result = await generateTypes(config, {
    serverUrl: async () => {
      await identifyTarget(target);
      production = target.isProduction;
      if (production)
        throw new TypesOnProduction();
      return target.url;
    }
  }).catch((error2) => {
    if (error2 instanceof TypesOnProduction)
      return null;
    throw error2;
  });
  if (!result || production)
    return null;
  const quietIo = json ? { ...io, out: () => {
  } } : io;
  const error = reportTypes(result, quietIo, true);
  if (error)
    throw error;
  return {
    written: result.files.filter((f) => f.status === "written").map((f) => f.output),
    removed: result.files.filter((f) => f.status === "removed").map((f) => f.output),
    unchanged: result.files.filter((f) => f.status === "unchanged" || f.status === "no-queries").length,
    warnings: result.warnings
  };
}
var TypesOnProduction = class extends Error {
};
async function upgradeCommand(flags, io) {
  if (flags.analyze)
    return (await import("./analyze-command-JZJLNEJ7.js")).analyzeCommand(flags, io);
  const [{ upgrade }, { ensureUrlDatabase }, { describeMigrationEvent }, { resolveTimeoutSettings }] = await Promise.all([
    import("./upgrade-5UQG25CM.js"),
    import("./ensure-database-KNCW57EY.js"),
    import("./migration-events-5W3E24PN.js"),
    import("./migration-timeouts-PWLRQ2BN.js")
  ]);
  const { config, target } = await configAndTarget(flags, io);
  const json = Boolean(flags.json);
  const createdDatabase = target.kind === "url" && !flags.dryRun && await ensureUrlDatabase(target.url);
  if (createdDatabase && !json)
    io.out(`Created database ${describeUrl(target.url)}`);
  const result = await interruptible(({ signal }) => upgrade(config, target, {
    dryRun: flags.dryRun,
    yes: flags.yes,
    confirm: io.confirm,
    announce: io.err,
    allowEdited: flags.allowEdited,
    allowOutOfOrder: flags.allowOutOfOrder,
    retryFailed: flags.retryFailed,
    timeouts: resolveTimeoutSettings(config.projectDir, flags),
    onEvent: (event) => io.err(describeMigrationEvent(event)),
    signal
  }));
  for (const entry of result.outOfOrder) {
    io.err(`warning: ${entry.fileName} is older than the newest applied migration and not recorded on this database (a parallel branch?); applying it anyway`);
  }
  if (!json) {
    const verb = result.dryRun ? "Would apply" : "Applied";
    if (result.applied.length === 0)
      io.out(`${targetLabel(target)}: up to date, nothing to apply`);
    for (const entry of result.applied)
      io.out(`${verb}: ${entry.fileName}`);
    if (result.applied.length && result.dryRun)
      io.out(`Dry run: ${result.applied.length} pending migration(s) on ${targetLabel(target)}; nothing was changed`);
    else if (result.applied.length)
      io.out(`${targetLabel(target)}: applied ${result.applied.length} migration(s)`);
    if (result.schemaFile)
      io.out(`Wrote ${relativeToProject(config, result.schemaFile)}`);
  }
  const types = flags.types === false || result.dryRun ? null : await regenerateTypes(config, target, io, json);
  if (json) {
    io.out(JSON.stringify({
      target: targetJson(target),
      dryRun: result.dryRun,
      createdDatabase,
      applied: result.applied.map((e) => e.fileName),
      outOfOrder: result.outOfOrder.map((e) => e.fileName),
      schemaFile: result.schemaFile ? relativeToProject(config, result.schemaFile) : null,
      types
    }, null, 2));
  }
}
async function downgradeCommand(steps, flags, io) {
  const [{ downgrade, parseSteps }, { describeMigrationEvent }, { resolveTimeoutSettings }] = await Promise.all([
    import("./downgrade-HFH7BQJ7.js"),
    import("./migration-events-5W3E24PN.js"),
    import("./migration-timeouts-PWLRQ2BN.js")
  ]);
  const count = parseSteps(steps);
  const { config, target } = await configAndTarget(flags, io);
  const result = await interruptible(({ signal }) => downgrade(config, target, {
    steps: count,
    dryRun: flags.dryRun,
    yes: flags.yes,
    confirm: io.confirm,
    announce: io.err,
    timeouts: resolveTimeoutSettings(config.projectDir, flags),
    onEvent: (event) => io.err(describeMigrationEvent(event)),
    allowEdited: flags.allowEdited,
    signal
  }));
  if (flags.json) {
    io.out(JSON.stringify({
      target: targetJson(target),
      dryRun: result.dryRun,
      rolledBack: result.rolledBack,
      schemaFile: result.schemaFile ? relativeToProject(config, result.schemaFile) : null
    }, null, 2));
    return;
  }
  const verb = result.dryRun ? "Would roll back" : "Rolled back";
  for (const file of result.rolledBack)
    io.out(`${verb}: ${file}`);
  if (result.schemaFile)
    io.out(`Wrote ${relativeToProject(config, result.schemaFile)}`);
}
var STATE_LABEL = {
  applied: "applied",
  pending: "pending",
  "pending-out-of-order": "pending (older than the newest applied; not recorded on this database)",
  "applied-file-missing": "applied (file missing)"
};
var PendingMigrationsError = class extends RbError {
};
async function statusCommand(flags, io) {
  const { config, target } = await configAndTarget(flags, io);
  const status = await migrationStatus(config, target.url);
  const applied = status.rows.filter((r) => r.state === "applied" || r.state === "applied-file-missing").length;
  if (flags.json) {
    const drift = flags.drift ? await (await import("./drift-command-5TBICNH4.js")).driftForJson(config, target, io) : void 0;
    io.out(JSON.stringify({
      target: targetJson(target),
      migrations: status.rows.map((row) => ({
        version: row.version,
        file: row.fileName ?? null,
        state: row.state,
        edited: Boolean(row.edited),
        failed: Boolean(row.failed) && !row.running,
        running: Boolean(row.running)
      })),
      applied,
      pending: status.pending.length,
      current: status.current,
      ...drift ? { drift: drift.result } : {}
    }, null, 2));
    if (drift?.failure)
      throw drift.failure;
  } else {
    io.out(`${targetLabel(target)}`);
    for (const row of status.rows) {
      const label = row.running ? "running, or cut off when rb was killed (transaction:false; see rb upgrade)" : row.failed ? "failed (transaction:false, part-way; see rb upgrade)" : row.edited ? "applied (edited since it was applied)" : STATE_LABEL[row.state];
      io.out(`${label.padEnd(9)}  ${row.fileName ?? row.version}`);
    }
    io.out(`${applied} applied, ${status.pending.length} pending; current version: ${status.current ?? "none"}`);
    if (status.unadopted)
      io.err(describeUnadopted(status.unadopted, target));
    if (flags.drift)
      await (await import("./drift-command-5TBICNH4.js")).printDriftForStatus(config, target, io);
  }
  if (flags.exitCode && status.pending.length) {
    throw new PendingMigrationsError(`${status.pending.length} migration(s) pending (--exit-code); apply them with rb upgrade`);
  }
}
async function currentCommand(flags, io) {
  const { config, target } = await configAndTarget(flags, io);
  const status = await migrationStatus(config, target.url);
  if (flags.json)
    io.out(JSON.stringify({ target: targetJson(target), current: status.current }, null, 2));
  else
    io.out(status.current ?? "none");
}
export {
  currentCommand,
  downgradeCommand,
  newMigrationCommand,
  statusCommand,
  upgradeCommand
};
