import {
  PGTYPED_CONFIG_FILE
} from "./chunk-3Q7U43SF.js";
import {
  quoteIdent
} from "./chunk-HJV3SOPZ.js";
import {
  migrationSlug,
  utcVersion
} from "./chunk-OPGVUU22.js";
import "./chunk-LC5NCFF3.js";
import "./chunk-7U3JJN2P.js";
import "./chunk-GX35TSEW.js";
import "./chunk-APFTIODY.js";
import "./chunk-EKB3CR5R.js";
import {
  describeUrl,
  parseDatabaseUrl
} from "./chunk-ZES4J75L.js";
import {
  loadConfig,
  missingPackageJson,
  parseJsonText,
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import {
  ConnectionError,
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/init/init-command.js
import { existsSync as existsSync3, readdirSync as readdirSync2, readFileSync as readFileSync3 } from "node:fs";
import path3 from "node:path";
import { readRbSettings } from "@rbsql/runtime/project";

// dist/init/init-project.js
import { existsSync as existsSync2, mkdirSync, readdirSync, readFileSync as readFileSync2, writeFileSync as writeFileSync2 } from "node:fs";
import path2 from "node:path";

// dist/init/package-json.js
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
function readPackageJson(projectDir) {
  const file = path.join(projectDir, "package.json");
  if (!existsSync(file)) {
    throw missingPackageJson(projectDir);
  }
  const text = readFileSync(file, "utf8");
  const data = parseJsonText(text, "package.json", "fix the file and run rb init again");
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new UsageError("package.json: must hold a JSON object; fix the file and run rb init again");
  return {
    file,
    data,
    indent: /^[ \t]+(?=")/m.exec(text)?.[0] ?? "  ",
    newline: text.includes("\r\n") ? "\r\n" : "\n",
    finalNewline: /\n$/.test(text)
  };
}
function writePackageJson(pkg) {
  const text = JSON.stringify(pkg.data, null, pkg.indent).replace(/\n/g, pkg.newline);
  writeFileSync(pkg.file, pkg.finalNewline ? `${text}${pkg.newline}` : text);
}

// dist/init/init-project.js
import { searchPath } from "@rbsql/runtime";
var NPM_SCRIPTS = {
  "db:migrate": "rb upgrade",
  "db:rollback": "rb downgrade",
  "db:status": "rb status",
  "db:new": "rb new-migration",
  "db:types": "rb types",
  "db:check": "rb check",
  "db:start": "rb db start",
  "db:stop": "rb db stop"
};
var GITIGNORE_ENTRIES = [".rb/", ".env"];
function ensureFolder(config, dir, purpose, steps) {
  const shown = `${relativeToProject(config, dir)}/`;
  if (existsSync2(dir)) {
    steps.push({ what: shown, status: "kept", detail: `${purpose} (already there)` });
    return;
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync2(path2.join(dir, ".gitkeep"), "");
  steps.push({ what: shown, status: "created", detail: purpose });
}
function identifier(name) {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : quoteIdent(name);
}
function schemaMigration(schemas) {
  const own = schemas.filter((s) => s !== "public");
  return `-- migrate:up
-- The app's tables live in ${own.length > 1 ? "these schemas" : "this schema"} (package.json "rb": {"schemas": ${JSON.stringify(schemas)}}):
-- rb's shadow database, rb run-script and createClient() use search_path = ${searchPath(schemas)}.
-- dbmate's tracking table stays in public.
${own.map((s) => `create schema ${identifier(s)};`).join("\n")}

-- migrate:down
${[...own].reverse().map((s) => `drop schema ${identifier(s)};`).join("\n")}
`;
}
function ensureMigrations(config, schemas, options, steps) {
  const dir = config.migrationsDir;
  const shown = `${relativeToProject(config, dir)}/`;
  const existing = existsSync2(dir) ? readdirSync(dir).filter((f) => f.endsWith(".sql")) : [];
  if (existing.length > 0) {
    steps.push({ what: shown, status: "kept", detail: `${existing.length} migration(s) already there` });
    return;
  }
  const own = schemas.filter((s) => s !== "public");
  if (options.existingDatabase || own.length === 0) {
    ensureFolder(config, dir, options.existingDatabase ? "migrations (rb baseline writes the first one from your database)" : "migrations", steps);
    return;
  }
  mkdirSync(dir, { recursive: true });
  const fileName = `${utcVersion(options.now ?? /* @__PURE__ */ new Date())}_${migrationSlug(["create schema", ...own])}.sql`;
  writeFileSync2(path2.join(dir, fileName), schemaMigration(schemas), { flag: "wx" });
  steps.push({ what: `${shown}${fileName}`, status: "created", detail: `first migration: creates the schema ${own.join(", ")}` });
}
function ensurePgtypedConfig(config, steps) {
  const file = path2.join(config.projectDir, PGTYPED_CONFIG_FILE);
  if (existsSync2(file)) {
    const srcDir2 = parseJsonText(readFileSync2(file, "utf8"), PGTYPED_CONFIG_FILE, "fix the file and run rb init again").srcDir;
    if (typeof srcDir2 !== "string" || !srcDir2) {
      throw new UsageError(`${PGTYPED_CONFIG_FILE}: "srcDir" must name the folder of your query files, e.g. "./src/queries/"; fix it and run rb init again`);
    }
    steps.push({ what: PGTYPED_CONFIG_FILE, status: "kept", detail: `queries in ${srcDir2}` });
    return path2.resolve(config.projectDir, srcDir2);
  }
  const srcDir = existsSync2(path2.join(config.projectDir, "src")) ? "./src/queries/" : "./queries/";
  const settings = {
    transforms: [{ mode: "sql", include: "**/*.sql", emitTemplate: "{{dir}}/{{name}}.queries.ts" }],
    srcDir
  };
  writeFileSync2(file, `${JSON.stringify(settings, null, 2)}
`, { flag: "wx" });
  steps.push({ what: PGTYPED_CONFIG_FILE, status: "created", detail: `queries in ${srcDir}` });
  return path2.resolve(config.projectDir, srcDir);
}
var IGNORED = (entry) => /* @__PURE__ */ new Set([entry, entry.replace(/\/$/, ""), `/${entry}`, `/${entry.replace(/\/$/, "")}`]);
function ensureGitignore(config, steps) {
  const file = path2.join(config.projectDir, ".gitignore");
  const text = existsSync2(file) ? readFileSync2(file, "utf8") : "";
  const lines = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const missing = GITIGNORE_ENTRIES.filter((entry) => ![...IGNORED(entry)].some((form) => lines.has(form)) && !(entry === ".env" && lines.has(".env*")));
  if (missing.length === 0) {
    steps.push({ what: ".gitignore", status: "kept", detail: `already ignores ${GITIGNORE_ENTRIES.join(" and ")}` });
    return;
  }
  const block = `${text && !text.endsWith("\n") ? "\n" : ""}${text ? "\n" : ""}# rb: the local PostgreSQL's data, dumps and caches; secrets
${missing.join("\n")}
`;
  writeFileSync2(file, text + block);
  steps.push({ what: ".gitignore", status: text ? "updated" : "created", detail: `ignores ${missing.join(" and ")}` });
}
function ensurePackageJson(config, options, steps) {
  const pkg = readPackageJson(config.projectDir);
  const data = pkg.data;
  let changed = false;
  const rb = data["rb"];
  let schemas;
  if (typeof rb === "object" && rb !== null && Array.isArray(rb.schemas)) {
    schemas = config.schemas;
    steps.push({ what: "package.json rb.schemas", status: "kept", detail: JSON.stringify(schemas) });
  } else {
    schemas = options.schemas;
    data["rb"] = { schemas, ...typeof rb === "object" && rb !== null ? rb : {} };
    changed = true;
    steps.push({ what: "package.json rb.schemas", status: "created", detail: JSON.stringify(schemas) });
  }
  const scripts = typeof data["scripts"] === "object" && data["scripts"] !== null ? data["scripts"] : {};
  const added = [];
  const kept = [];
  for (const [name, command] of Object.entries(NPM_SCRIPTS)) {
    if (name in scripts) {
      if (scripts[name] !== command)
        kept.push(`${name} (runs "${String(scripts[name])}")`);
      continue;
    }
    scripts[name] = command;
    added.push(name);
  }
  if (added.length) {
    data["scripts"] = scripts;
    changed = true;
    steps.push({ what: "package.json scripts", status: "updated", detail: `added ${added.join(", ")}` });
  } else {
    steps.push({ what: "package.json scripts", status: "kept", detail: "the db:* scripts are there" });
  }
  if (kept.length)
    steps.push({ what: "package.json scripts", status: "kept", detail: `left as they are: ${kept.join(", ")}` });
  if (changed)
    writePackageJson(pkg);
  return schemas;
}
function initProject(config, options) {
  const steps = [];
  const schemas = ensurePackageJson(config, options, steps);
  ensureMigrations(config, schemas, options, steps);
  const srcDir = ensurePgtypedConfig(config, steps);
  ensureFolder(config, srcDir, "annotated queries (*.sql); rb types writes *.queries.ts beside them", steps);
  ensureFolder(config, config.backfillDir, "backfill scripts (rb run-script)", steps);
  ensureGitignore(config, steps);
  return { steps, schemas, queriesDir: relativeToProject(config, srcDir), changed: steps.some((s) => s.status !== "kept") };
}

// dist/init/init-command.js
async function decideSchemas(flags, url, defaults, io) {
  if (!url)
    return flags.existingDatabase ? { existing: true, schemas: ["public"] } : { existing: false, schemas: defaults };
  parseDatabaseUrl(url, flags.databaseUrl ? "--database-url" : "DATABASE_URL");
  const { tablesBySchema, schemasOf } = await import("./existing-tables-DJRQ6ZFZ.js");
  let counts;
  try {
    counts = await tablesBySchema(url);
  } catch (error) {
    if (!(error instanceof ConnectionError))
      throw error;
    io.err(`warning: could not look at ${flags.databaseUrl ? "--database-url" : "DATABASE_URL"} to see whether it already has tables (${error.message}); setting up ${flags.existingDatabase ? "for an existing database" : "a new app"}`);
    return flags.existingDatabase ? { existing: true, schemas: ["public"] } : { existing: false, schemas: defaults };
  }
  if (counts.size === 0) {
    return flags.existingDatabase ? { existing: true, schemas: ["public"], note: `${describeUrl(url)} has no tables yet` } : { existing: false, schemas: defaults };
  }
  const tables = [...counts.values()].reduce((a, b) => a + b, 0);
  const schemas = schemasOf(counts);
  return { existing: true, schemas, note: `${describeUrl(url)} already has ${tables} table(s) or view(s) in ${schemas.join(", ")}: set up to adopt it` };
}
function schemasOfHistory(config) {
  if (readRbSettings(config.projectDir) !== void 0)
    return { existing: false, schemas: config.schemas };
  const created = /* @__PURE__ */ new Set();
  for (const file of readdirSync2(config.migrationsDir).filter((f) => f.endsWith(".sql"))) {
    const text = readFileSync3(path3.join(config.migrationsDir, file), "utf8");
    for (const match of text.matchAll(/create\s+schema\s+(?:if\s+not\s+exists\s+)?"?([A-Za-z_][A-Za-z0-9_$]*)"?/gi))
      created.add(match[1].toLowerCase());
  }
  if (config.schemas.every((schema) => created.has(schema)))
    return { existing: false, schemas: config.schemas };
  return {
    existing: false,
    schemas: ["public"],
    note: `${relativeToProject(config, config.migrationsDir)} holds migrations, and none creates schema ${config.schemas.join(", ")}: using public`
  };
}
function nextSteps(result, existing, schemaFile, target) {
  const steps = existing ? [
    "rb baseline              record the database's current schema as the first migration (rb baseline --prod for production)",
    "rb new-migration <name>  then write changes as new migrations"
  ] : [`rb new-migration <name>  write your first table (create table ${result.schemas[0]}.<name> ...)`];
  return [
    ...steps,
    `rb upgrade               apply them to ${target} and regenerate the query types`,
    `                         put annotated queries in ${result.queriesDir}/ (rb types --watch while you edit)`,
    `git add -A               commit the migrations, ${schemaFile} and the generated *.queries.ts`
  ];
}
async function initCommand(flags, io) {
  if (flags.prod)
    throw new UsageError("rb init sets up files in the app and never touches production; drop --prod (rb baseline --prod records production's schema)");
  const config = loadConfig();
  const hasMigrations = existsSync3(config.migrationsDir) && readdirSync2(config.migrationsDir).some((f) => f.endsWith(".sql"));
  const url = hasMigrations ? void 0 : flags.databaseUrl ?? config.databaseUrl;
  const decision = hasMigrations ? schemasOfHistory(config) : await decideSchemas(flags, url, config.schemas, io);
  if (decision.note)
    io.out(decision.note);
  const result = initProject(config, { schemas: decision.schemas, existingDatabase: decision.existing });
  for (const step of result.steps)
    io.out(`${step.status.padEnd(7)}  ${step.what}: ${step.detail}`);
  if (!result.changed) {
    io.out("rb init: everything is in place, nothing changed");
    return;
  }
  io.out("");
  io.out("Next:");
  const target = flags.databaseUrl ? "that database (pass the same --database-url)" : config.databaseUrl ? "DATABASE_URL" : "the local PostgreSQL (started for you)";
  for (const line of nextSteps(result, decision.existing, relativeToProject(config, config.schemaFile), target))
    io.out(`  ${line}`);
}
export {
  initCommand
};
