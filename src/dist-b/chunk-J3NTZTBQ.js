import {
  runProcess
} from "./chunk-2M3JEVIH.js";
import {
  DBMATE_TABLE,
  qualified
} from "./chunk-IUNTMCXC.js";
import {
  stripBom
} from "./chunk-7U3JJN2P.js";
import {
  maskUrl
} from "./chunk-ZES4J75L.js";

// dist/migrations/dbmate.js
import { readFileSync, rmSync as rmSync2, symlinkSync, writeFileSync } from "node:fs";
import os2 from "node:os";
import path2 from "node:path";
import { resolveBinary } from "dbmate";

// dist/temp-dirs.js
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { processExists } from "@rbsql/runtime/project";
var NAME = /^rb-[a-z]+(?:-[a-z]+)*-(\d+)-[A-Za-z0-9]{6}$/;
var swept = false;
function removeStaleTempDirs(dir = os.tmpdir()) {
  const removed = [];
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = NAME.exec(name);
    if (!match || Number(match[1]) === process.pid || processExists(Number(match[1])))
      continue;
    try {
      rmSync(path.join(dir, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
    }
  }
  return removed;
}
function makeTempDir(purpose) {
  if (!swept) {
    swept = true;
    removeStaleTempDirs();
  }
  return mkdtempSync(path.join(os.tmpdir(), `rb-${purpose}-${process.pid}-`));
}

// dist/migrations/dbmate.js
var LOOPBACK = /* @__PURE__ */ new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);
function dbmateUrl(url) {
  const parsed = new URL(url);
  if (!parsed.searchParams.has("sslmode") && LOOPBACK.has(parsed.hostname))
    parsed.searchParams.set("sslmode", "disable");
  return parsed.toString();
}
var DBMATE_SESSION_PREFIX = "rb dbmate (pid ";
function dbmateSessionName(pid = process.pid) {
  return `${DBMATE_SESSION_PREFIX}${pid} on ${os2.hostname()})`.slice(0, 63);
}
function dbmateConnection(url) {
  const parsed = new URL(dbmateUrl(url));
  const env = { ...process.env };
  const password = parsed.password ? decodeURIComponent(parsed.password) : parsed.searchParams.get("password");
  if (password)
    env.PGPASSWORD = password;
  parsed.password = "";
  parsed.searchParams.delete("password");
  parsed.searchParams.set("application_name", dbmateSessionName());
  return { url: parsed.toString().replace(/\+/g, "%20"), env };
}
async function runDbmate(options, args) {
  const connection = dbmateConnection(options.url);
  const env = { ...connection.env, RB_DBMATE_URL: connection.url };
  const global = [
    "--env",
    "RB_DBMATE_URL",
    // rb reads .env itself; keep dbmate from reading the project's .env a second time.
    "--env-file",
    "/dev/null",
    "--migrations-dir",
    options.migrationsDir,
    // Always qualified: unqualified, dbmate follows search_path (src/rb-tables.ts).
    "--migrations-table",
    qualified(DBMATE_TABLE),
    "--schema-file",
    options.schemaFile ?? path2.join(os2.tmpdir(), "rb-unused-schema.sql"),
    "--no-dump-schema"
  ];
  const result = await runProcess(resolveBinary(), [...global, ...args], { env });
  return { ...result, stdout: maskUrl(result.stdout), stderr: maskUrl(result.stderr) };
}
async function withMigrationSubset(filePaths, work) {
  const dir = makeTempDir("migrations");
  try {
    for (const file of filePaths) {
      const text = readFileSync(file, "utf8");
      const target = path2.join(dir, path2.basename(file));
      if (text.charCodeAt(0) === 65279)
        writeFileSync(target, stripBom(text));
      else
        symlinkSync(path2.resolve(file), target);
    }
    return await work(dir);
  } finally {
    rmSync2(dir, { recursive: true, force: true });
  }
}
function parseDbmateError(stderr) {
  const errorLine = stderr.split("\n").reverse().find((line) => line.startsWith("Error: ")) ?? stderr.trim();
  let text = errorLine.replace(/^Error:\s*/, "");
  const located = /^line: (\d+), column: (\d+), position: \d+: (.*)$/.exec(text);
  const result = { message: text };
  if (located) {
    result.sectionLine = Number(located[1]);
    result.column = Number(located[2]);
    text = located[3];
  }
  const state = /\s\(([0-9A-Z]{5})\)$/.exec(text);
  if (state) {
    result.sqlState = state[1];
    text = text.slice(0, state.index);
  }
  result.message = text.replace(/^pq: /, "").replace(/ at (position \d+:\d+|column \d+)$/, "");
  return result;
}

export {
  makeTempDir,
  DBMATE_SESSION_PREFIX,
  dbmateSessionName,
  runDbmate,
  withMigrationSubset,
  parseDbmateError
};
