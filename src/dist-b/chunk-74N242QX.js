import {
  runProcess
} from "./chunk-2M3JEVIH.js";
import {
  trackChild
} from "./chunk-NMHWLE4Q.js";
import {
  DBMATE_TABLE
} from "./chunk-IUNTMCXC.js";
import {
  maskUrl
} from "./chunk-ZES4J75L.js";
import {
  RbError,
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/restore/dump-contents.js
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os2 from "node:os";
import path from "node:path";

// dist/restore/archive-toc.js
import { writeFileSync } from "node:fs";

// dist/restore/pg-tools.js
var LIBPQ_KEYS = /* @__PURE__ */ new Set([
  "host",
  "hostaddr",
  "port",
  "dbname",
  "user",
  "passfile",
  "channel_binding",
  "connect_timeout",
  "client_encoding",
  "options",
  "application_name",
  "fallback_application_name",
  "keepalives",
  "keepalives_idle",
  "keepalives_interval",
  "keepalives_count",
  "tcp_user_timeout",
  "replication",
  "gssencmode",
  "sslmode",
  "requiressl",
  "sslcompression",
  "sslcert",
  "sslkey",
  "sslpassword",
  "sslrootcert",
  "sslcrl",
  "sslcrldir",
  "sslsni",
  "requirepeer",
  "ssl_min_protocol_version",
  "ssl_max_protocol_version",
  "krbsrvname",
  "gsslib",
  "service",
  "target_session_attrs"
]);
function libpqTarget(url) {
  const parsed = new URL(url);
  const env = { ...process.env };
  if (parsed.password)
    env.PGPASSWORD = decodeURIComponent(parsed.password);
  parsed.password = "";
  const settings = [];
  for (const key of [...parsed.searchParams.keys()]) {
    if (LIBPQ_KEYS.has(key))
      continue;
    settings.push(`-c ${key}=${parsed.searchParams.get(key)}`);
    parsed.searchParams.delete(key);
  }
  if (settings.length) {
    const existing = parsed.searchParams.get("options");
    parsed.searchParams.set("options", [existing, ...settings].filter(Boolean).join(" "));
  }
  return { url: parsed.toString().replace(/\+/g, "%20"), env };
}
async function toolVersion(tool) {
  let result;
  try {
    result = await runProcess(tool, ["--version"]);
  } catch {
    throw new RbError(`${tool} is not installed (not found in PATH); install the PostgreSQL client tools (Debian: apt-get install postgresql-client)`);
  }
  const match = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(result.stdout);
  if (!result.ok || !match)
    throw new RbError(`could not read the version of ${tool}: ${result.stderr.trim() || result.stdout.trim()}`);
  return { version: match[2] ? `${match[1]}.${match[2]}` : match[1], major: Number(match[1]) };
}
function majorOf(version) {
  const [first, second] = version.split(/[.\s]/);
  const major = Number(first);
  return major < 10 ? Number(`${first}.${second}`) : major;
}
async function runPgTool(tool, args, options = {}) {
  const result = await runProcess(tool, args, options);
  return { ...result, stderr: maskUrl(result.stderr) };
}
function firstError(stderr) {
  const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
  const error = lines.find((l) => /error:|FATAL|ERROR/.test(l)) ?? lines[0] ?? "no message";
  return maskUrl(error.replace(/^(pg_dump|pg_restore): (error: )?/, ""));
}

// dist/restore/archive-toc.js
var KINDS = [
  "TABLE DATA",
  "SEQUENCE SET",
  "SEQUENCE OWNED BY",
  "FK CONSTRAINT",
  "CHECK CONSTRAINT",
  "DEFAULT ACL",
  "MATERIALIZED VIEW DATA",
  "MATERIALIZED VIEW",
  "BLOB METADATA",
  "BLOBS",
  "LARGE OBJECT",
  "TEXT SEARCH CONFIGURATION",
  "TEXT SEARCH DICTIONARY",
  "TEXT SEARCH PARSER",
  "TEXT SEARCH TEMPLATE",
  "FOREIGN TABLE",
  "FOREIGN DATA WRAPPER",
  "USER MAPPING",
  "ROW SECURITY",
  "EVENT TRIGGER",
  "PROCEDURAL LANGUAGE",
  "SHELL TYPE",
  "OPERATOR CLASS",
  "OPERATOR FAMILY",
  "ACCESS METHOD",
  "PUBLICATION TABLE",
  "PUBLICATION TABLES IN SCHEMA",
  "INDEX ATTACH",
  "TABLE ATTACH",
  "STATISTICS DATA"
];
function parseToc(file, text) {
  const toc = { file, entries: [] };
  for (const line of text.split("\n")) {
    if (line.startsWith(";")) {
      const from = /Dumped from database version: (.+)$/.exec(line);
      if (from)
        toc.dumpedFrom = from[1].trim();
      const by = /Dumped by pg_dump version: (.+)$/.exec(line);
      if (by)
        toc.dumpedBy = by[1].trim();
      continue;
    }
    const match = /^(\d+); \d+ \d+ (.*)$/.exec(line);
    if (!match)
      continue;
    const rest = match[2];
    const kind = KINDS.find((k) => rest.startsWith(`${k} `)) ?? rest.split(" ")[0];
    const words = rest.slice(kind.length + 1).split(" ");
    const schema = words.shift() ?? "-";
    words.pop();
    toc.entries.push({ dumpId: Number(match[1]), kind, schema, name: words.join(" "), line });
  }
  return toc;
}
async function readArchiveToc(file) {
  const result = await runPgTool("pg_restore", ["--list", file]);
  if (!result.ok) {
    const error = firstError(result.stderr);
    if (/unsupported version/.test(error)) {
      const restore = await toolVersion("pg_restore");
      throw new RbError(`${file} was written by a newer pg_dump than pg_restore ${restore.version} can read (${error}); install the PostgreSQL client tools of the dump's version (Debian: apt-get install postgresql-client-<major> from apt.postgresql.org) and put them first in PATH`);
    }
    throw new RbError(`${file} is not a pg_dump archive rb can read (${error}); make it with pg_dump --format=custom, or use rb dump-and-restore`);
  }
  return parseToc(file, result.stdout);
}
function tableKey(entry) {
  return `${entry.schema}.${entry.name}`;
}
function writeRestoreList(path2, entries) {
  writeFileSync(path2, entries.map((e) => e.line).join("\n") + "\n", { mode: 384 });
}

// dist/restore/run-owner.js
import { createHash } from "node:crypto";
import os from "node:os";
import { processExists } from "@rbsql/runtime/project";
function hostTagOf(hostname) {
  return createHash("sha256").update(hostname).digest("hex").slice(0, 6);
}
var thisRun = { hostTag: hostTagOf(os.hostname()), pid: process.pid };
function runTag(owner = thisRun) {
  return `${owner.hostTag}_${owner.pid}`;
}
function ownerState(owner) {
  if (owner.hostTag !== thisRun.hostTag)
    return "other-host";
  if (owner.pid === thisRun.pid || processExists(owner.pid))
    return "running";
  return "gone";
}

// dist/restore/dump-contents.js
function isTrackingData(entry) {
  return entry.kind === "TABLE DATA" && entry.schema === DBMATE_TABLE.schema && entry.name === DBMATE_TABLE.name;
}
var SCRATCH = /^rb-restore-([0-9a-f]{6})_(\d+)-/;
async function withScratchDir(work) {
  const dir = mkdtempSync(path.join(os2.tmpdir(), `rb-restore-${runTag()}-`));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
function removeLeftoverScratchDirs() {
  for (const name of readdirSync(os2.tmpdir())) {
    const match = SCRATCH.exec(name);
    if (match && ownerState({ hostTag: match[1], pid: Number(match[2]) }) === "gone")
      rmSync(path.join(os2.tmpdir(), name), { recursive: true, force: true });
  }
}
async function readDumpVersions(toc) {
  const entry = toc.entries.find((e) => isTrackingData(e));
  if (!entry)
    return void 0;
  const text = await withScratchDir(async (dir) => {
    const list = path.join(dir, "tracking.list");
    writeRestoreList(list, [entry]);
    const result = await runPgTool("pg_restore", ["--data-only", "--use-list", list, "--file", "-", toc.file]);
    if (!result.ok)
      throw new RbError(`could not read ${tableKey(entry)} from ${toc.file}: ${firstError(result.stderr)}`);
    return result.stdout;
  });
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith("COPY "));
  if (start < 0)
    return [];
  const columns = /\((.*)\) FROM stdin;$/.exec(lines[start])?.[1].split(", ").map((c) => c.replace(/"/g, "")) ?? ["version"];
  const column = Math.max(0, columns.indexOf("version"));
  const versions = [];
  for (const line of lines.slice(start + 1)) {
    if (line === "\\.")
      break;
    versions.push(line.split("	")[column]);
  }
  return versions;
}
var IDENT = '(?:"(?:[^"]|"")*"|[^\\s."(),;]+)';
var IDENTITY_SEQUENCE = new RegExp(`ALTER TABLE (?:ONLY )?(${IDENT}\\.${IDENT}) ALTER COLUMN ${IDENT} ADD GENERATED (?:ALWAYS|BY DEFAULT) AS IDENTITY \\(\\s*SEQUENCE NAME (${IDENT}\\.${IDENT})`, "g");
var OWNED_SEQUENCE = new RegExp(`ALTER SEQUENCE (${IDENT}\\.${IDENT}) OWNED BY (${IDENT}\\.${IDENT})\\.${IDENT};`, "g");
function unquotedKey(qualified) {
  const parts = qualified.match(new RegExp(IDENT, "g")) ?? [];
  return parts.map((p) => p.startsWith('"') ? p.slice(1, -1).replace(/""/g, '"') : p).join(".");
}
async function readSequenceOwners(toc) {
  const entries = toc.entries.filter((e) => e.kind === "SEQUENCE" || e.kind === "SEQUENCE OWNED BY");
  if (entries.length === 0)
    return /* @__PURE__ */ new Map();
  const text = await withScratchDir(async (dir) => {
    const list = path.join(dir, "sequences.list");
    writeRestoreList(list, entries);
    const result = await runPgTool("pg_restore", ["--schema-only", "--use-list", list, "--file", "-", toc.file]);
    if (!result.ok)
      throw new RbError(`could not read the sequences in ${toc.file}: ${firstError(result.stderr)}`);
    return result.stdout;
  });
  return parseSequenceOwners(text);
}
function parseSequenceOwners(text) {
  const owners = /* @__PURE__ */ new Map();
  for (const match of text.matchAll(IDENTITY_SEQUENCE))
    owners.set(unquotedKey(match[2]), unquotedKey(match[1]));
  for (const match of text.matchAll(OWNED_SEQUENCE))
    owners.set(unquotedKey(match[1]), unquotedKey(match[2]));
  return owners;
}
var NEWLINE = 10;
var DATA_HEADER = /^-- Data for Name: (.*); Type: TABLE DATA; Schema: (.*); Owner: /;
function countDumpRows(file, listFile, signal) {
  return new Promise((resolve, reject) => {
    const child = spawn("pg_restore", ["--data-only", "--use-list", listFile, "--file", "-", file], { stdio: ["ignore", "pipe", "pipe"], signal });
    const forget = trackChild(child);
    const counts = /* @__PURE__ */ new Map();
    let current = "";
    let inCopy = false;
    let rows = 0;
    let partial = Buffer.alloc(0);
    let stderr = "";
    const line = (buf, start, end) => {
      if (inCopy) {
        if (end - start === 2 && buf[start] === 92 && buf[start + 1] === 46) {
          counts.set(current, (counts.get(current) ?? 0) + rows);
          inCopy = false;
        } else
          rows += 1;
        return;
      }
      const text = buf.toString("utf8", start, end);
      const header = DATA_HEADER.exec(text);
      if (header)
        current = `${header[2]}.${header[1]}`;
      else if (text.startsWith("COPY ") && text.endsWith("FROM stdin;")) {
        inCopy = true;
        rows = 0;
      }
    };
    child.stdout.on("data", (chunk) => {
      let pos = 0;
      if (partial.length) {
        const nl = chunk.indexOf(NEWLINE);
        if (nl < 0) {
          partial = Buffer.concat([partial, chunk]);
          return;
        }
        const joined = Buffer.concat([partial, chunk.subarray(0, nl)]);
        line(joined, 0, joined.length);
        partial = Buffer.alloc(0);
        pos = nl + 1;
      }
      for (; ; ) {
        const nl = chunk.indexOf(NEWLINE, pos);
        if (nl < 0)
          break;
        line(chunk, pos, nl);
        pos = nl + 1;
      }
      if (pos < chunk.length)
        partial = Buffer.from(chunk.subarray(pos));
    });
    child.stderr.setEncoding("utf8").on("data", (c) => stderr += c);
    child.on("error", (error) => {
      forget();
      reject(error);
    });
    child.on("close", (code, signal2) => {
      forget();
      if (code !== 0 || signal2)
        reject(new RbError(`could not read the data in ${file}: ${firstError(stderr)}`));
      else
        resolve(counts);
    });
  });
}

// dist/restore/table-pattern.js
function tablePattern(pattern, flag = "--exclude-table-data") {
  const parts = [""];
  let quoted = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === '"') {
      if (quoted && pattern[i + 1] === '"') {
        parts[parts.length - 1] += escape('"');
        i += 1;
      } else
        quoted = !quoted;
    } else if (!quoted && c === ".")
      parts.push("");
    else if (!quoted && c === "*")
      parts[parts.length - 1] += ".*";
    else if (!quoted && c === "?")
      parts[parts.length - 1] += ".";
    else
      parts[parts.length - 1] += escape(quoted ? c : c.toLowerCase());
  }
  if (quoted || parts.length > 2 || parts.some((p) => p === "")) {
    throw new UsageError(`${flag} "${pattern}" is not a table pattern; use table, schema.table or wildcards such as app.audit_*`);
  }
  const [schemaRe, nameRe] = parts.length === 2 ? parts.map((p) => new RegExp(`^(?:${p})$`)) : [/^/, new RegExp(`^(?:${parts[0]})$`)];
  return (schema, name) => schemaRe.test(schema) && nameRe.test(name);
}
function patternFor(schema, name) {
  const part = (p) => /^[a-z_][a-z0-9_]*$/.test(p) ? p : `"${p.replace(/"/g, '""')}"`;
  const pattern = `${part(schema)}.${part(name)}`;
  return /^[a-z0-9_.]+$/.test(pattern) ? pattern : `'${pattern.replace(/'/g, `'\\''`)}'`;
}
function escape(c) {
  return c.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
}

export {
  libpqTarget,
  toolVersion,
  majorOf,
  runPgTool,
  firstError,
  readArchiveToc,
  tableKey,
  writeRestoreList,
  thisRun,
  runTag,
  ownerState,
  withScratchDir,
  removeLeftoverScratchDirs,
  readDumpVersions,
  readSequenceOwners,
  countDumpRows,
  tablePattern,
  patternFor
};
