import {
  parseJsonText
} from "./chunk-ZXLN6B57.js";
import {
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/types/pgtyped-config.js
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { rbTypesOverrides } from "@rbsql/runtime/type-choices";
var PGTYPED_CONFIG_FILE = "pgtyped.config.json";
var KNOWN_KEYS = /* @__PURE__ */ new Set([
  "transforms",
  "srcDir",
  "failOnError",
  "camelCaseColumnNames",
  "hungarianNotation",
  "nonEmptyArrayParams",
  "dbUrl",
  "db",
  "typesOverrides",
  "maxWorkerThreads"
]);
var EXAMPLE_CONFIG = '{"transforms":[{"mode":"sql","include":"**/*.sql","emitTemplate":"{{dir}}/{{name}}.queries.ts"}],"srcDir":"./queries/"}';
function optionalBoolean(value, name, fallback, problems) {
  if (value === void 0)
    return fallback;
  if (typeof value !== "boolean")
    problems.push(`"${name}" must be true or false`);
  return value === true;
}
function loadTypesSettings(projectDir, configFile = path.join(projectDir, PGTYPED_CONFIG_FILE)) {
  const relative = path.relative(projectDir, configFile) || configFile;
  if (!existsSync(configFile)) {
    throw new UsageError(`${relative} not found: rb types needs the committed pgtyped configuration; create it, e.g. ${EXAMPLE_CONFIG}`);
  }
  const raw = parseJsonText(readFileSync(configFile, "utf8"), relative, "fix the file");
  const problems = [];
  const ignored = [];
  for (const key of Object.keys(raw))
    if (!KNOWN_KEYS.has(key))
      problems.push(`unknown key "${key}"`);
  if (raw.dbUrl !== void 0 || raw.db !== void 0)
    ignored.push("dbUrl/db (rb connects pgtyped to its shadow database)");
  if (typeof raw.srcDir !== "string" || !raw.srcDir)
    problems.push('"srcDir" must name the directory holding the query files, e.g. "./queries/"');
  const transforms = [];
  if (!Array.isArray(raw.transforms)) {
    problems.push('"transforms" must be a list such as [{"mode":"sql","include":"**/*.sql","emitTemplate":"{{dir}}/{{name}}.queries.ts"}]');
  } else {
    for (const [i, t] of raw.transforms.entries()) {
      if (t?.mode !== "sql") {
        ignored.push(`transforms[${i}] (mode "${String(t?.mode)}": rb generates from .sql files only)`);
        continue;
      }
      if (typeof t.include !== "string" || /[{}]/.test(t.include)) {
        problems.push(`transforms[${i}].include must be a glob such as "**/*.sql" (braces are not supported)`);
        continue;
      }
      const emit = t.emitTemplate ?? t.emitFileName;
      if (emit !== void 0 && typeof emit !== "string")
        problems.push(`transforms[${i}].emitTemplate must be a string`);
      transforms.push({ include: t.include, emitTemplate: emit });
    }
    if (transforms.length === 0 && problems.length === 0)
      problems.push('no transform with "mode": "sql"');
  }
  const overrides = raw.typesOverrides ?? {};
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) {
    problems.push('"typesOverrides" must be an object such as {"date": "string"}');
  } else {
    for (const [name, value] of Object.entries(overrides)) {
      const ok = typeof value === "string" || typeof value === "object" && value !== null && Object.entries(value).every(([k, v]) => (k === "parameter" || k === "return") && (v === void 0 || typeof v === "string"));
      if (!ok)
        problems.push(`typesOverrides.${name} must be a type name or {"parameter": ..., "return": ...}`);
    }
  }
  const settings = {
    camelCaseColumnNames: optionalBoolean(raw.camelCaseColumnNames, "camelCaseColumnNames", false, problems),
    hungarianNotation: optionalBoolean(raw.hungarianNotation, "hungarianNotation", true, problems),
    nonEmptyArrayParams: optionalBoolean(raw.nonEmptyArrayParams, "nonEmptyArrayParams", true, problems)
  };
  if (problems.length)
    throw new UsageError(`${relative}: ${problems.join("; ")}`);
  const typesOverrides = { ...rbTypesOverrides, ...overrides };
  const srcDir = path.resolve(path.dirname(configFile), raw.srcDir);
  return {
    configFile,
    srcDir,
    transforms,
    ...settings,
    typesOverrides,
    ignored,
    fingerprint: JSON.stringify({ srcDir: path.relative(projectDir, srcDir), transforms, settings, typesOverrides })
  };
}
function globToRegExp(glob) {
  let source = "";
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/";
      source += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*")
      source += "[^/]*";
    else if (c === "?")
      source += "[^/]";
    else
      source += c.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
function walk(dir, out) {
  if (!existsSync(dir))
    return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules")
      continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      walk(full, out);
    else if (entry.isFile())
      out.push(full);
  }
}
function renderEmitTemplate(template, relativeFile) {
  const parsed = path.parse(relativeFile);
  const vars = { ...parsed, dir_base: path.basename(parsed.dir) };
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key) => {
    if (!(key in vars))
      throw new UsageError(`emitTemplate "${template}" uses {{${key}}}; known: ${Object.keys(vars).join(", ")}`);
    return vars[key];
  });
}
function listQueryFiles(projectDir, settings) {
  const all = [];
  walk(settings.srcDir, all);
  const files = [];
  const taken = /* @__PURE__ */ new Set();
  for (const transform of settings.transforms) {
    const pattern = globToRegExp(`**/${transform.include}`);
    for (const file of all.sort()) {
      const inSrc = path.relative(settings.srcDir, file).split(path.sep).join("/");
      if (taken.has(file) || !pattern.test(inSrc))
        continue;
      taken.add(file);
      const relative = path.relative(projectDir, file);
      const emitted = transform.emitTemplate ? renderEmitTemplate(transform.emitTemplate, relative) : path.join(path.dirname(relative), `${path.parse(relative).name}.ts`);
      files.push({ path: file, relative, outputPath: path.resolve(projectDir, emitted), transform });
    }
  }
  return files;
}
var GENERATED_HEADER = /^\/\*\* Types generated for queries found in "([^"]+)" \*\//;
function findOrphans(projectDir, settings, sources) {
  const all = [];
  walk(settings.srcDir, all);
  const known = new Set(sources.map((f) => f.relative));
  const outputs = new Set(sources.map((f) => f.outputPath));
  const orphans = [];
  for (const file of all.sort()) {
    if (!file.endsWith(".ts") || outputs.has(file))
      continue;
    const match = GENERATED_HEADER.exec(readFileSync(file, "utf8").slice(0, 1e3));
    if (match && !known.has(match[1]))
      orphans.push({ source: match[1], output: path.relative(projectDir, file) });
  }
  return orphans;
}

export {
  PGTYPED_CONFIG_FILE,
  loadTypesSettings,
  listQueryFiles,
  findOrphans
};
