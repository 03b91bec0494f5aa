import {
  parseDbmateError,
  runDbmate,
  withMigrationSubset
} from "./chunk-J3NTZTBQ.js";
import {
  DBMATE_TABLE
} from "./chunk-IUNTMCXC.js";
import {
  lineAndColumn,
  splitStatements
} from "./chunk-GX35TSEW.js";
import {
  connect
} from "./chunk-EKB3CR5R.js";
import {
  ConnectionError,
  MigrationError
} from "./chunk-RVO3MYFU.js";

// dist/migrations/replay-section.js
async function locateByReplay(url, section, original) {
  const statements = splitStatements(section.sql);
  const sql = connect(url, { max: 1 });
  try {
    const conn = await sql.reserve();
    try {
      await conn.unsafe("begin");
      for (const statement of statements) {
        try {
          await conn.unsafe(statement.text);
        } catch (error) {
          const e = error;
          if (e.code !== original.sqlState)
            break;
          const offset = e.position ? statement.start + Number(e.position) - 1 : void 0;
          if (offset === void 0)
            return { line: section.line + statement.line };
          const place = lineAndColumn(section.sql, offset);
          return { line: section.line + place.line, column: place.column };
        }
      }
    } finally {
      await conn.unsafe("rollback").catch(() => void 0);
      conn.release();
    }
  } catch {
  } finally {
    await sql.end({ timeout: 5 });
  }
  return {
    unknownPosition: `position unknown: PostgreSQL reported none, the section (line ${section.line}) holds ${statements.length} statements, and running them one by one did not fail the same way`
  };
}

// dist/migrations/run-migrations.js
var CONNECTION_LOST = [
  /driver: bad connection/,
  /connection refused/,
  /connection reset/,
  /broken pipe/,
  /(^|: )(unexpected )?EOF$/,
  /terminating connection/,
  /the database system is (starting up|shutting down|in recovery|not yet accepting)/,
  /server closed the connection/,
  /no such host/,
  /i\/o timeout/
];
function isConnectionLoss(error) {
  if (error.sqlState && (error.sqlState.startsWith("08") || ["57P01", "57P02", "57P03"].includes(error.sqlState)))
    return true;
  return CONNECTION_LOST.some((pattern) => pattern.test(error.message));
}
function startedFiles(stdout, command, files) {
  const prefix = command === "migrate" ? "Applying: " : "Rolling back: ";
  const byName = new Map(files.map((f) => [f.fileName, f]));
  return stdout.split("\n").filter((line) => line.startsWith(prefix)).map((line) => byName.get(line.slice(prefix.length).trim())).filter((f) => f !== void 0);
}
function locateInSection(section, kind, error) {
  if (error.sectionLine !== void 0)
    return { line: section.line + error.sectionLine - 1, column: error.column };
  const statements = splitStatements(section.sql);
  if (statements.length === 1)
    return { line: section.line + statements[0].line };
  return {
    unknownPosition: `position unknown: PostgreSQL reported none, and the ${kind} section (line ${section.line}) holds ${statements.length} statements`
  };
}
async function runMigrations(url, files, command, options = {}) {
  if (files.length === 0)
    return { done: [] };
  const result = await withMigrationSubset(files.map((f) => f.path), (dir) => runDbmate({ url, migrationsDir: dir }, [command]));
  const started = startedFiles(result.stdout, command, files);
  if (result.ok)
    return { done: started };
  if (result.signal) {
    return { done: started.slice(0, -1), stopped: { signal: result.signal, current: started.at(-1) } };
  }
  const file = started.at(-1);
  const section = command === "migrate" ? "up" : "down";
  const error = parseDbmateError(result.stderr);
  const failure = {
    file,
    section,
    message: error.message,
    sqlState: error.sqlState,
    connectionLost: isConnectionLoss(error)
  };
  if (file && !failure.connectionLost) {
    if (error.message.includes(DBMATE_TABLE.name)) {
      failure.message = `dbmate could not record the version in its tracking table: ${error.message}`;
    } else {
      let place = locateInSection(file[section], section, error);
      if (place.line === void 0 && options.replayToLocate && file[section].options.transaction !== "false") {
        place = await locateByReplay(url, file[section], error);
      }
      Object.assign(failure, place);
    }
  }
  return { done: started.slice(0, -1), failure };
}
function describeFailure(failure, show) {
  const state = failure.sqlState ? ` (SQLSTATE ${failure.sqlState})` : "";
  if (!failure.file)
    return `dbmate failed: ${failure.message}${state}`;
  const where = [show(failure.file.path), failure.line, failure.line !== void 0 ? failure.column : void 0].filter((p) => p !== void 0).join(":");
  const unknown = failure.unknownPosition ? ` (${failure.unknownPosition})` : "";
  return `${where}: ${failure.message}${state}${unknown}`;
}
function failureError(failure, text) {
  return failure.connectionLost ? new ConnectionError(text) : new MigrationError(text);
}

export {
  runMigrations,
  describeFailure,
  failureError
};
