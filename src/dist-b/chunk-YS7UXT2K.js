import {
  runDbmate
} from "./chunk-J3NTZTBQ.js";
import {
  isRbOwnTable,
  otherToolTable
} from "./chunk-IUNTMCXC.js";
import {
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import {
  RbError
} from "./chunk-RVO3MYFU.js";

// dist/migrations/schema-file.js
import { readFileSync, writeFileSync, existsSync } from "node:fs";
function stripRestrictLines(text) {
  return text.split("\n").filter((line) => !/^\\(un)?restrict\b/.test(line)).join("\n").replace(/^\n+/, "");
}
async function writeSchemaFile(config, url) {
  const result = await runDbmate({ url, migrationsDir: config.migrationsDir, schemaFile: config.schemaFile }, ["dump"]);
  if (!result.ok) {
    const detail = (result.stderr || result.stdout).trim().split("\n").pop() ?? "";
    if (/version mismatch/i.test(detail)) {
      throw new RbError(`could not write ${relativeToProject(config, config.schemaFile)}: ${detail}; install the PostgreSQL client tools of the server's major version (apt-get install postgresql-client-<major>)`);
    }
    if (/executable file not found|pg_dump: not found/i.test(detail)) {
      throw new RbError(`could not write ${relativeToProject(config, config.schemaFile)}: pg_dump is not installed; install the PostgreSQL client tools (apt-get install postgresql-client-15)`);
    }
    throw new RbError(`could not write ${relativeToProject(config, config.schemaFile)}: ${detail}`);
  }
  if (existsSync(config.schemaFile)) {
    writeFileSync(config.schemaFile, stripRestrictLines(readFileSync(config.schemaFile, "utf8")));
  }
  return config.schemaFile;
}
function splitDumpBlocks(dump) {
  const lines = dump.split("\n");
  const blocks = [{ lines: [] }];
  for (let i = 0; i < lines.length; i++) {
    const named = lines[i] === "--" ? /^-- (?:Data for )?Name: ([^;]+); Type: ([^;]+); Schema: ([^;]+);/.exec(lines[i + 1] ?? "") : null;
    if (named || lines[i] === "--" && lines[i + 1] === "-- PostgreSQL database dump complete") {
      blocks.push({ lines: [], header: named ? { name: named[1], kind: named[2], schema: named[3] } : void 0 });
    }
    blocks.at(-1).lines.push(lines[i]);
  }
  return blocks;
}
function joinDumpBlocks(blocks) {
  return blocks.flatMap((b) => b.lines).join("\n");
}
function withoutObject(block) {
  return { lines: block.lines.filter((line) => /^(SET |SELECT pg_catalog\.set_config\()/.test(line)).flatMap((line) => [line, ""]) };
}
var IDENT = String.raw`(?:"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*)`;
var QUALIFIED = new RegExp(String.raw`^(${IDENT})\.(${IDENT})`);
function unquote(ident) {
  return ident.startsWith('"') ? ident.slice(1, -1).replace(/""/g, '"') : ident;
}
function leadingTable(text) {
  const match = QUALIFIED.exec(text);
  return match ? `${unquote(match[1])}.${unquote(match[2])}` : void 0;
}
function blockTable(kind, schema, name, body) {
  if (kind === "INDEX") {
    const on = / ON (?:ONLY )?(.*)$/m.exec(body);
    return on ? leadingTable(on[1]) : void 0;
  }
  if (kind === "SEQUENCE") {
    const identity = /^ALTER TABLE (?:ONLY )?(.*) ALTER COLUMN /m.exec(body);
    if (identity)
      return leadingTable(identity[1]);
  }
  const object = name.replace(/^(TABLE|COLUMN|SEQUENCE) /, "").split(/[ .]/)[0];
  return `${schema}.${object}`;
}
function stripTables(dump, strip) {
  const blocks = splitDumpBlocks(dump);
  const stripped = (table) => {
    if (!table)
      return false;
    const dot = table.indexOf(".");
    return strip(table.slice(0, dot), table.slice(dot + 1));
  };
  const ownedSequences = /* @__PURE__ */ new Set();
  for (const match of dump.matchAll(new RegExp(String.raw`^ALTER SEQUENCE (${IDENT}\.${IDENT}) OWNED BY (${IDENT}\.${IDENT})\.`, "gm"))) {
    if (stripped(leadingTable(match[2])))
      ownedSequences.add(leadingTable(match[1]));
  }
  const kept = blocks.map((block) => {
    const { header, lines: body } = block;
    if (!header)
      return block;
    const drop = header.kind.startsWith("SEQUENCE") && ownedSequences.has(`${header.schema}.${header.name}`) || stripped(blockTable(header.kind, header.schema, header.name, body.join("\n")));
    return drop ? withoutObject(block) : block;
  });
  return joinDumpBlocks(kept);
}
function stripTrackingTables(dump) {
  return stripTables(dump, (schema, name) => isRbOwnTable(schema, name) || otherToolTable(schema, name) !== void 0);
}

export {
  stripRestrictLines,
  writeSchemaFile,
  splitDumpBlocks,
  joinDumpBlocks,
  withoutObject,
  stripTables,
  stripTrackingTables
};
