import {
  resolveTarget
} from "./chunk-LWDHCSGX.js";
import {
  describeUrl
} from "./chunk-ZES4J75L.js";
import {
  loadConfig
} from "./chunk-ZXLN6B57.js";
import {
  RefusedError,
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/commands/common.js
function refuseTargetFlags(command, flags, what) {
  const given = ["prod", "yes", "databaseUrl"].filter((key) => flags[key] !== void 0 && flags[key] !== false);
  if (given.length === 0)
    return;
  const names = given.map((key) => key === "databaseUrl" ? "--database-url" : `--${key}`);
  throw new UsageError(`rb ${command} ${what}, so ${names.join(" and ")} ${names.length > 1 ? "do" : "does"} not apply; drop ${names.length > 1 ? "them" : "it"}`);
}
async function configAndTarget(flags, io) {
  const config = loadConfig();
  const target = await resolveTarget(config, { prod: flags.prod, databaseUrl: flags.databaseUrl, warn: io.err });
  return { config, target };
}
async function refuseProductionServer(target, command, what) {
  const { identifyTarget } = await import("./resolve-target-T4ENCZXP.js");
  await identifyTarget(target);
  if (!target.isProduction)
    return;
  throw new RefusedError(`refusing to ${what} on production's server: ${target.source} (${describeUrl(target.url)}) is production's database (PROD_DATABASE_URL), and rb ${command} never uses production; point ${target.source} at a local or CI database, or unset it to use the embedded server`);
}
function targetLabel(target) {
  const where = describeUrl(target.url);
  if (target.isProduction)
    return target.kind === "url" ? `PRODUCTION ${where} (through ${target.source})` : `PRODUCTION ${where}`;
  return target.kind === "embedded" ? `local database ${where}` : `${where} (from ${target.source})`;
}
function targetJson(target) {
  return { database: describeUrl(target.url), kind: target.kind, source: target.source, production: target.isProduction };
}

export {
  refuseTargetFlags,
  configAndTarget,
  refuseProductionServer,
  targetLabel,
  targetJson
};
