import {
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/config.js
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_LAYOUT, DEFAULT_SCHEMAS, findProjectRoot, localServerRecordFile, parseDotenv, readDotenv, STATE_DIR_NAME } from "@rbsql/runtime/project";

// dist/json-file.js
function parseJsonText(text, shown, fix) {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error.message;
    const position = /at position (\d+)/.exec(message);
    const reason = message.replace(/ in JSON at position \d+.*$/, "").replace(/ \(line \d+ column \d+\)$/, "");
    if (!position)
      throw new UsageError(`${shown}: not valid JSON (${reason}); ${fix}`);
    const before = text.slice(0, Number(position[1]));
    const line = before.split("\n").length;
    const column = Number(position[1]) - before.lastIndexOf("\n");
    throw new UsageError(`${shown}:${line}:${column}: not valid JSON (${reason}); ${fix}`);
  }
}

// dist/config.js
var RULE_LEVELS = ["error", "warning", "off"];
var CHECK_KEYS = ["squawkExcludedRules", "columnOrder", "impactRules"];
var KNOWN_PACKAGE_KEYS = /* @__PURE__ */ new Set(["schemas", "migrationsDir", "schemaFile", "backfillDir", "localPort", "localDatabase", "check"]);
var DBMATE_VARIABLES = { migrationsDir: "DBMATE_MIGRATIONS_DIR", schemaFile: "DBMATE_SCHEMA_FILE" };
var DEFAULT_LOCAL_PORT = 54329;
function readPackageSettings(projectDir) {
  const file = path.join(projectDir, "package.json");
  if (!existsSync(file))
    return {};
  const parsed = parseJsonText(readFileSync(file, "utf8"), "package.json", "fix the file");
  const settings = parsed.rb;
  if (settings === void 0)
    return {};
  const problems = [];
  if (typeof settings !== "object" || settings === null) {
    throw new UsageError(`package.json: "rb" must be an object such as {"schemas": ["app"]}`);
  }
  for (const key of Object.keys(settings)) {
    if (!KNOWN_PACKAGE_KEYS.has(key))
      problems.push(`unknown key "rb.${key}" (known: ${[...KNOWN_PACKAGE_KEYS].join(", ")})`);
  }
  const s = settings;
  if (s.schemas !== void 0 && (!Array.isArray(s.schemas) || s.schemas.length === 0 || s.schemas.some((x) => typeof x !== "string" || !x))) {
    problems.push('"rb.schemas" must be a list of schema names');
  }
  for (const key of Object.keys(DEFAULT_LAYOUT)) {
    const value = s[key];
    if (value !== void 0 && (typeof value !== "string" || !value.trim())) {
      problems.push(`"rb.${key}" must be a path relative to the project root, such as "${DEFAULT_LAYOUT[key]}"`);
    }
  }
  if (s.localPort !== void 0 && !(Number.isInteger(s.localPort) && s.localPort > 0 && s.localPort < 65536)) {
    problems.push('"rb.localPort" must be a port number');
  }
  if (s.check !== void 0) {
    const check = s.check;
    if (typeof check !== "object" || check === null || Array.isArray(check))
      problems.push('"rb.check" must be an object such as {"squawkExcludedRules": ["prefer-text-field"]}');
    else {
      for (const key of Object.keys(check))
        if (!CHECK_KEYS.includes(key))
          problems.push(`unknown key "rb.check.${key}" (known: ${CHECK_KEYS.join(", ")})`);
      const rules = check.squawkExcludedRules;
      if (rules !== void 0 && (!Array.isArray(rules) || rules.some((x) => typeof x !== "string" || !x))) {
        problems.push('"rb.check.squawkExcludedRules" must be a list of squawk rule names such as ["prefer-text-field"]');
      }
      if (check.columnOrder !== void 0 && !RULE_LEVELS.includes(check.columnOrder)) {
        problems.push(`"rb.check.columnOrder" must be one of ${RULE_LEVELS.map((l) => `"${l}"`).join(", ")}`);
      }
      const impact = check.impactRules;
      if (impact !== void 0 && (typeof impact !== "object" || impact === null || Array.isArray(impact) || Object.values(impact).some((l) => !RULE_LEVELS.includes(l)))) {
        problems.push(`"rb.check.impactRules" must map rule names to ${RULE_LEVELS.map((l) => `"${l}"`).join(", ")}, e.g. {"blocking-lock": "error"}`);
      }
    }
  }
  if (problems.length)
    throw new UsageError(`package.json: ${problems.join("; ")}`);
  return s;
}
function layoutPath(projectDir, key, settings, lookup) {
  const variable = DBMATE_VARIABLES[key];
  const fromDbmate = variable ? lookup(variable) : void 0;
  const fromPackage = settings[key];
  if (fromPackage !== void 0 && fromDbmate !== void 0 && path.resolve(projectDir, fromPackage) !== path.resolve(projectDir, fromDbmate)) {
    throw new UsageError(`${variable}=${fromDbmate} disagrees with "rb.${key}": "${fromPackage}" in package.json; rb uses package.json: remove ${variable} (from the environment or .env) or make them the same`);
  }
  return path.resolve(projectDir, fromPackage ?? fromDbmate ?? DEFAULT_LAYOUT[key]);
}
function parsePort(value, name) {
  if (value === void 0 || value === "")
    return void 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port >= 65536) {
    throw new UsageError(`${name}=${value} is not a port number; set it to a number from 1 to 65535`);
  }
  return port;
}
function missingPackageJson(projectDir) {
  return new UsageError(`no package.json in ${projectDir} or any folder above it; rb works in a Node app's folder: cd into your app, or set one up with npm init -y, npm install --save-dev @rbsql/cli and rb init`);
}
function loadConfig(projectDir = findProjectRoot(process.cwd()), env = process.env) {
  if (!existsSync(path.join(projectDir, "package.json")) && !existsSync(path.join(projectDir, DEFAULT_LAYOUT.migrationsDir))) {
    throw missingPackageJson(projectDir);
  }
  const dotenv = readDotenv(projectDir);
  const lookup = (name) => {
    const value = env[name] ?? dotenv[name];
    return value === "" ? void 0 : value;
  };
  const settings = readPackageSettings(projectDir);
  const stateDir = path.join(projectDir, STATE_DIR_NAME);
  return {
    projectDir,
    migrationsDir: layoutPath(projectDir, "migrationsDir", settings, lookup),
    schemaFile: layoutPath(projectDir, "schemaFile", settings, lookup),
    backfillDir: layoutPath(projectDir, "backfillDir", settings, lookup),
    stateDir,
    schemas: settings.schemas ?? [...DEFAULT_SCHEMAS],
    databaseUrl: lookup("DATABASE_URL"),
    prodDatabaseUrl: lookup("PROD_DATABASE_URL"),
    check: settings.check ?? {},
    local: {
      port: parsePort(lookup("RB_LOCAL_PORT"), "RB_LOCAL_PORT") ?? settings.localPort ?? DEFAULT_LOCAL_PORT,
      database: lookup("RB_LOCAL_DATABASE") ?? settings.localDatabase ?? "development",
      dataDir: lookup("RB_LOCAL_DATA_DIR") ?? path.join(stateDir, "postgres"),
      recordFile: localServerRecordFile(projectDir)
    }
  };
}
function relativeToProject(config, file) {
  const relative = path.relative(config.projectDir, file);
  if (!relative)
    return ".";
  return relative.startsWith(`..${path.sep}`) || relative === ".." || path.isAbsolute(relative) ? path.resolve(file) : relative;
}

export {
  parseJsonText,
  parseDotenv,
  missingPackageJson,
  loadConfig,
  relativeToProject
};
