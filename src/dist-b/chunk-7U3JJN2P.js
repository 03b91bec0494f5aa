import {
  isTransactionControl,
  refusedInTransaction,
  splitStatements
} from "./chunk-GX35TSEW.js";
import {
  parseRbDirectives
} from "./chunk-APFTIODY.js";
import {
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/migrations/migration-file.js
import { readFileSync } from "node:fs";
import path from "node:path";
var FILE_NAME_PATTERN = /^(\d+)_(.+)\.sql$/;
var MARKER_PATTERN = /^--\s*migrate:(up|down)\b(.*)$/;
function parseFileName(fileName) {
  const match = FILE_NAME_PATTERN.exec(fileName);
  return match ? { version: match[1], name: match[2] } : null;
}
function parseOptions(text) {
  const options = {};
  for (const pair of text.trim().split(/\s+/).filter(Boolean)) {
    const [key, value = ""] = pair.split(":");
    options[key] = value;
  }
  return options;
}
function stripBom(text) {
  return text.charCodeAt(0) === 65279 ? text.slice(1) : text;
}
function parseMigrationText(text, filePath) {
  text = stripBom(text);
  const lines = text.split(/\r?\n/);
  const markers = [];
  lines.forEach((line, index) => {
    const match = MARKER_PATTERN.exec(line);
    if (match)
      markers.push({ kind: match[1], line: index + 1, options: parseOptions(match[2]) });
  });
  const ups = markers.filter((m) => m.kind === "up");
  const downs = markers.filter((m) => m.kind === "down");
  if (ups.length === 0) {
    throw new UsageError(`${filePath}:1: no '-- migrate:up' section; start the file with a line '-- migrate:up' followed by the SQL to apply`);
  }
  if (ups.length > 1) {
    throw new UsageError(`${filePath}:${ups[1].line}: a second '-- migrate:up' marker; a file holds one up and one down section, so move this change to a new migration`);
  }
  if (downs.length === 0) {
    throw new UsageError(`${filePath}:${lines.length}: no '-- migrate:down' section; add a line '-- migrate:down' after the up SQL, followed by SQL that undoes it`);
  }
  if (downs.length > 1) {
    throw new UsageError(`${filePath}:${downs[1].line}: a second '-- migrate:down' marker; a file holds one up and one down section`);
  }
  const up = ups[0];
  const down = downs[0];
  if (down.line < up.line) {
    throw new UsageError(`${filePath}:${down.line}: '-- migrate:down' comes before '-- migrate:up'; put the up section first`);
  }
  return {
    up: { line: up.line, options: up.options, sql: lines.slice(up.line, down.line - 1).join("\n") },
    down: { line: down.line, options: down.options, sql: lines.slice(down.line).join("\n") },
    directives: parseRbDirectives(text)
  };
}
function readMigrationFile(dir, fileName, shownAs = path.join(dir, fileName)) {
  const parsedName = parseFileName(fileName);
  const filePath = path.join(dir, fileName);
  if (!parsedName) {
    throw new UsageError(`${shownAs}: not a migration file name; use <version>_<name>.sql, as "rb new-migration <name>" writes`);
  }
  const text = readFileSync(filePath, "utf8");
  const file = { ...parsedName, fileName, path: filePath, ...parseMigrationText(text, shownAs) };
  if (file.directives.problems.length) {
    throw new UsageError(file.directives.problems.map((p) => `${shownAs}:${p.line}: ${p.message}`).join("\n"));
  }
  return file;
}
function transactionFalseProblem(section, kind) {
  if (section.options.transaction !== "false")
    return void 0;
  const statements = splitStatements(section.sql);
  if (statements.length < 2)
    return void 0;
  const fileLine = (s) => section.line + s.line;
  const fix = "put each statement in a transaction:false file of its own (rb new-migration makes one)";
  const refused = statements.find((s) => refusedInTransaction(s));
  if (refused) {
    return {
      line: fileLine(refused),
      message: `the transaction:false ${kind} section holds ${statements.length} statements, and ${refusedInTransaction(refused)} cannot run among others: dbmate sends the section as one query, which PostgreSQL runs as one transaction, so it would fail with nothing applied; ${fix}`
    };
  }
  if (statements.some(isTransactionControl))
    return void 0;
  return {
    line: fileLine(statements[1]),
    message: `the transaction:false ${kind} section holds ${statements.length} statements: dbmate sends the section as one query, which PostgreSQL runs as one transaction, so transaction:false has no effect (a failure would roll everything back, yet rb would record the file as failed part-way); ${fix}`
  };
}
function isEmptySection(section) {
  return section.sql.split("\n").every((line) => line.trim() === "" || line.trim().startsWith("--"));
}

export {
  parseFileName,
  stripBom,
  parseMigrationText,
  readMigrationFile,
  transactionFalseProblem,
  isEmptySection
};
