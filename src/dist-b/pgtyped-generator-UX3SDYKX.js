import {
  loadPgtyped
} from "./chunk-OLCLYL6C.js";
import {
  withClient
} from "./chunk-EKB3CR5R.js";
import {
  maskUrl
} from "./chunk-ZES4J75L.js";
import "./chunk-ZXLN6B57.js";
import {
  ConnectionError
} from "./chunk-RVO3MYFU.js";

// dist/types/pgtyped-generator.js
import { AsyncLocalStorage } from "node:async_hooks";
import { readFileSync } from "node:fs";
var RUNTIME_PACKAGE = "@rbsql/runtime";
function importFromRuntimePackage(generated) {
  return generated.replace(/^import \{ PreparedQuery \} from '@pgtyped\/runtime';$/m, `import { PreparedQuery } from '${RUNTIME_PACKAGE}';`);
}
var captured = new AsyncLocalStorage();
function withConsoleCapture(work) {
  const original = { error: console.error, log: console.log };
  const capture = (fallback) => (...args) => {
    const store = captured.getStore();
    if (store)
      store.push(args);
    else
      fallback(...args);
  };
  console.error = capture(original.error);
  console.log = capture(original.log);
  return work().finally(() => Object.assign(console, original));
}
function dbOptions(url) {
  const u = new URL(url);
  const sslmode = u.searchParams.get("sslmode");
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || "postgres",
    password: u.password ? decodeURIComponent(u.password) : void 0,
    dbName: decodeURIComponent(u.pathname.slice(1)),
    ssl: sslmode && sslmode !== "disable" && sslmode !== "prefer" && sslmode !== "allow" ? { rejectUnauthorized: sslmode === "verify-ca" || sslmode === "verify-full" } : void 0
  };
}
async function openConnection(lib, url) {
  const queue = new lib.AsyncQueue();
  queue.socket.setNoDelay(true);
  try {
    await lib.startup(dbOptions(url), queue);
  } catch (error) {
    queue.socket.destroy();
    throw new ConnectionError(`pgtyped could not connect to ${maskUrl(url)}: ${error.message}`);
  }
  queue.socket.setNoDelay(true);
  return queue;
}
async function schemaTypes(url) {
  const rows = await withClient(url, (sql) => sql`
    select t.typname as name, t.typtype as kind, b.typname as base
    from pg_type t join pg_namespace n on n.oid = t.typnamespace left join pg_type b on b.oid = t.typbasetype
    where t.typtype in ('d', 'c', 'r') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`);
  return {
    domains: new Map(rows.filter((r) => r.kind === "d" && r.base).map((r) => [r.name, r.base])),
    textual: rows.filter((r) => r.kind !== "d").map((r) => r.name)
  };
}
function typeMapping(lib, settings, { domains, textual }) {
  const parsed = {};
  for (const [name, value] of Object.entries(settings.typesOverrides)) {
    parsed[name] = typeof value === "string" ? { parameter: lib.stringToType(value), return: lib.stringToType(value) } : { parameter: value.parameter ? lib.stringToType(value.parameter) : void 0, return: value.return ? lib.stringToType(value.return) : void 0 };
  }
  const base = lib.TypeMapping(parsed);
  for (const [domain, baseType] of domains) {
    if (!(domain in parsed) && base[baseType])
      parsed[domain] = base[baseType];
  }
  for (const name of textual)
    if (!(name in parsed))
      parsed[name] = { parameter: { name: "string" }, return: { name: "string" } };
  return lib.TypeMapping(parsed);
}
function describeProblem(error) {
  const hint = error.hint ? `; hint: ${error.hint}` : "";
  return `${error.message ?? "invalid query"}${hint}`;
}
function annotationLine(contents, ast) {
  const at = contents.lastIndexOf("@name", ast.statement.loc.a);
  const index = at === -1 ? ast.statement.loc.a : at;
  return (contents.slice(0, index).match(/\n/g) ?? []).length + 1;
}
function duplicateNames(contents, relative, typed) {
  const first = /* @__PURE__ */ new Map();
  const problems = [];
  for (const { query } of typed) {
    const line = annotationLine(contents, query.ast);
    const earlier = first.get(query.name);
    if (!earlier) {
      first.set(query.name, { name: query.ast.name, line });
      continue;
    }
    const clash = earlier.name === query.ast.name ? `the name ${query.ast.name} is also used by the query at ${relative}:${earlier.line}` : `${query.ast.name} and ${earlier.name} (${relative}:${earlier.line}) would both be exported as ${query.name}`;
    problems.push({ file: relative, line, query: query.ast.name, message: `${clash}; give each query of a file its own @name` });
  }
  return problems;
}
function parseQueryFile(lib, file, result) {
  const contents = readFileSync(file.path, "utf8").replace(/\r\n/g, "\n");
  const parsed = lib.parseSQLFile(contents);
  const critical = parsed.events.filter((e) => e.critical);
  if (critical.length) {
    for (const event of critical) {
      result.problems.push({ file: file.relative, line: event.location?.line, message: `cannot parse the pgtyped annotations: ${event.message.text}` });
    }
    return void 0;
  }
  for (const event of parsed.events) {
    result.warnings.push(`${file.relative}${event.location ? `:${event.location.line}` : ""}: ${event.message.text}`);
  }
  return { file, contents };
}
async function generateOne(lib, connection, { file, contents }, settings, mapping, result) {
  const types = new lib.TypeAllocator(mapping);
  types.use({ name: "PreparedQuery", from: "@pgtyped/runtime" }, "return");
  const logged = [];
  const set = await captured.run(logged, () => lib.generateTypedecsFromFile(contents, file.relative, connection, { mode: "sql", include: file.transform.include }, types, { hungarianNotation: settings.hungarianNotation, camelCaseColumnNames: settings.camelCaseColumnNames, nonEmptyArrayParams: settings.nonEmptyArrayParams, failOnError: false }));
  const errors = logged.filter(([first]) => typeof first === "string" && (first.startsWith("Error in query") || first.startsWith("Query ")));
  let next = 0;
  for (const typed of set.typedQueries) {
    if (!typed.typeDeclaration.includes("is invalid, so its result is assigned type"))
      continue;
    const [text, details] = errors[next++] ?? [];
    const error = typeof details === "object" && details !== null ? details : { message: String(text) };
    const ast = typed.query.ast;
    let line = ast.statement.loc.line;
    let listHint = "";
    if (error.position) {
      const query = lib.processSQLQueryIR(lib.queryASTToIR(ast)).query;
      const before = query.slice(0, Number(error.position) - 1);
      line += (before.match(/\n/g) ?? []).length;
      if (/\bin\s*$/i.test(before) && /^\$\d/.test(query.slice(Number(error.position) - 1))) {
        listHint = `; a list after IN needs a spread parameter: declare it with "@param ids -> (...)" in the query's comment and write "in :ids"`;
      }
    }
    const message = (error.errorCode ? describeProblem(error) : String(text).replace(/^Query '[^']*' is invalid\. /, "")) + listHint;
    result.problems.push({ file: file.relative, line, query: ast.name, message });
  }
  result.problems.push(...duplicateNames(contents, file.relative, set.typedQueries));
  for (const error of new Map(types.errors.map((e) => [e.message, e])).values()) {
    result.warnings.push(`${file.relative}: ${error.message}; it is typed "unknown" (add a typesOverrides entry in the pgtyped config)`);
  }
  result.outputs.push({ file, content: set.typedQueries.length > 0 ? importFromRuntimePackage(lib.generateDeclarationFile(set)) : null });
}
async function generateQueryTypes(files, settings, url, connections = 4) {
  const result = { outputs: [], problems: [], warnings: [] };
  if (files.length === 0)
    return result;
  const typesRead = schemaTypes(url);
  typesRead.catch(() => {
  });
  const lib = await loadPgtyped();
  const opening = Promise.allSettled(Array.from({ length: Math.min(connections, files.length) }, () => openConnection(lib, url)));
  const parsed = files.map((file) => parseQueryFile(lib, file, result)).filter((p) => p !== void 0);
  const opened = await opening;
  const queues = opened.flatMap((o) => o.status === "fulfilled" ? [o.value] : []);
  try {
    const failed = opened.find((o) => o.status === "rejected");
    if (failed)
      throw failed.reason;
    const mapping = typeMapping(lib, settings, await typesRead);
    let index = 0;
    await withConsoleCapture(() => Promise.all(queues.map(async (queue) => {
      while (index < parsed.length) {
        const file = parsed[index++];
        await generateOne(lib, queue, file, settings, mapping, result);
      }
    })));
  } finally {
    for (const queue of queues)
      queue.socket.destroy();
  }
  const order = new Map(files.map((f, i) => [f.path, i]));
  result.outputs.sort((a, b) => order.get(a.file.path) - order.get(b.file.path));
  result.problems.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
  return result;
}
export {
  RUNTIME_PACKAGE,
  generateQueryTypes,
  importFromRuntimePackage
};
