import {
  generateTypes
} from "./chunk-BQIFCJFL.js";
import "./chunk-OLCLYL6C.js";
import {
  PGTYPED_CONFIG_FILE,
  loadTypesSettings
} from "./chunk-3Q7U43SF.js";
import "./chunk-GX35TSEW.js";
import {
  loadConfig,
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import {
  RbError,
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/commands/types-command.js
import path from "node:path";
function reportTypes(result, io, quiet = false) {
  for (const note of result.ignored)
    io.err(`note: ${PGTYPED_CONFIG_FILE}: ignoring ${note}`);
  for (const warning of result.warnings)
    io.err(`warning: ${warning}`);
  if (result.problems.length > 0) {
    for (const p of result.problems) {
      io.err(`${p.file}${p.line ? `:${p.line}` : ""}: ${p.query ? `query ${p.query}: ` : ""}${p.message}`);
    }
    const files = new Set(result.problems.map((p) => p.file)).size;
    return new RbError(`${result.problems.length} invalid quer${result.problems.length === 1 ? "y" : "ies"} in ${files} file(s); ${result.check ? "the check failed" : "nothing was written"}; fix them and run rb types again`);
  }
  if (result.shadow?.rebuilt)
    io.out(`Rebuilt the shadow database ${result.shadow.name} from the migrations`);
  const written = result.files.filter((f) => f.status === "written");
  for (const f of written)
    io.out(`Wrote ${f.output}`);
  const removed = result.files.filter((f) => f.status === "removed");
  for (const f of removed)
    io.out(`Removed ${f.output} (its query file ${f.source} is gone)`);
  if (result.check) {
    const stale = result.files.filter((f) => f.status === "stale" || f.status === "missing" || f.status === "orphan");
    for (const f of stale) {
      if (f.status === "orphan")
        io.err(`${f.output} is stale: its query file ${f.source} no longer exists; delete it (rb types does)`);
      else
        io.err(`${f.output} is ${f.status === "missing" ? "missing" : "stale"}: it differs from what rb types generates from ${f.source}`);
    }
    if (stale.length > 0)
      return new RbError(`${stale.length} generated file(s) out of date; run rb types and commit the result`);
    io.out(`${result.files.filter((f) => f.status !== "orphan").length} query file(s): generated types are up to date`);
    return void 0;
  }
  const sources = result.files.length - removed.length;
  if (quiet && written.length + removed.length === 0)
    return void 0;
  io.out(`${sources} query file(s): ${written.length} written, ${sources - written.length} unchanged${result.generated === 0 && written.length + removed.length === 0 ? " (nothing changed since the last run)" : ""}`);
  return void 0;
}
function serverResolver(config, flags) {
  return async () => {
    const [{ resolveTarget }, { refuseProductionServer }] = await Promise.all([import("./resolve-target-T4ENCZXP.js"), import("./common-P6WWCJ2V.js")]);
    const target = await resolveTarget(config, { databaseUrl: flags.databaseUrl });
    await refuseProductionServer(target, "types", "build the shadow database");
    return target.url;
  };
}
async function typesCommand(flags, io) {
  if (flags.prod) {
    throw new UsageError("rb types never uses production: it generates against a shadow database beside your local or DATABASE_URL server; drop --prod");
  }
  if (flags.check && flags.watch)
    throw new UsageError("--check and --watch cannot be combined: --check is a one-shot comparison for CI");
  const config = loadConfig();
  const options = { check: flags.check, serverUrl: serverResolver(config, flags) };
  if (!flags.watch) {
    const error = reportTypes(await generateTypes(config, options), io);
    if (error)
      throw error;
    return;
  }
  const { watchAndRun } = await import("./watch-types-QJREUJKH.js");
  const outputs = /\.ts$/;
  const configFile = path.join(config.projectDir, PGTYPED_CONFIG_FILE);
  let srcDir;
  const paths = () => {
    try {
      srcDir = loadTypesSettings(config.projectDir).srcDir;
    } catch {
    }
    return [...srcDir ? [srcDir] : [], config.migrationsDir, configFile];
  };
  const shown = paths().map((p) => relativeToProject(config, p));
  io.out(`Watching ${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]} (Ctrl-C stops)`);
  await watchAndRun({
    paths,
    ignore: (file) => outputs.test(file),
    run: async () => {
      try {
        const error = reportTypes(await generateTypes(config, options), io);
        if (error)
          io.err(`rb: ${error.message}`);
      } catch (error) {
        if (!(error instanceof RbError))
          throw error;
        io.err(`rb: ${error.message}`);
      }
    }
  });
}
export {
  reportTypes,
  typesCommand
};
