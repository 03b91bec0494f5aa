import {
  identifyTarget
} from "./chunk-LWDHCSGX.js";
import {
  maskUrl,
  parseDatabaseUrl
} from "./chunk-ZES4J75L.js";
import {
  RefusedError
} from "./chunk-RVO3MYFU.js";

// dist/target/prod-guard.js
function describeProductionTarget(target, action, plan) {
  const p = parseDatabaseUrl(target.url);
  const lines = [
    `PRODUCTION: ${action}`,
    ...target.kind === "url" ? [`  reached:  through ${target.source}: ${target.identity?.reason ?? "the same database as PROD_DATABASE_URL"}`] : [],
    `  host:     ${p.host}`,
    `  port:     ${p.port}`,
    `  database: ${p.database}`,
    `  user:     ${p.user}`,
    `  url:      ${maskUrl(target.url)}`,
    plan.length ? "This will:" : "Nothing to do.",
    ...plan.map((line) => `  - ${line}`)
  ];
  return lines.join("\n");
}
async function guardProduction(target, options) {
  await identifyTarget(target);
  if (!target.isProduction)
    return;
  const { database } = parseDatabaseUrl(target.url);
  const summary = describeProductionTarget(target, options.action, options.plan);
  if (options.yes) {
    options.announce?.(`${summary}
Confirmed by --yes.`);
    return;
  }
  const answer = await options.confirm(summary, database);
  if (answer === null) {
    throw new RefusedError(`refusing to touch production (${maskUrl(target.url)}${target.kind === "url" ? `, reached through ${target.source}` : ""}) without a terminal to confirm on; pass --yes to confirm non-interactively`);
  }
  if (answer.trim() !== database) {
    throw new RefusedError(`production not touched: you typed "${answer.trim()}", not the database name "${database}"`);
  }
}

export {
  guardProduction
};
