import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { withClient } from '../client.ts';
import { ConnectionError } from '../errors.ts';
import { maskUrl } from '../target/database-url.ts';
import type { QueryFile, TypesSettings } from './pgtyped-config.ts';
import { pgtypedLogin } from './pgtyped-login.ts';
import { loadPgtyped, type PgType, type PgtypedLibrary, type SqlQueryAst, type TypeDeclarationSet, type WireQueue } from './pgtyped-library.ts';

/** The package generated query files import PreparedQuery from. */
export const RUNTIME_PACKAGE = '@rbsql/runtime';

/**
 * pgtyped's CLI imports PreparedQuery from @pgtyped/runtime; rb's generated files import it from
 * rb's runtime, the one package an app lists (under pnpm an app can import only its own
 * dependencies). pgtyped writes `import type` for every other module (@pgtyped/cli lib/types.js,
 * declareImport), so the value import is written for @pgtyped/runtime and renamed here.
 */
export function importFromRuntimePackage(generated: string): string {
  return generated.replace(/^import \{ PreparedQuery \} from '@pgtyped\/runtime';$/m, `import { PreparedQuery } from '${RUNTIME_PACKAGE}';`);
}

/** One invalid query: file, line, query name and PostgreSQL's message. */
export interface QueryProblem {
  file: string;
  line?: number;
  query?: string;
  message: string;
}

export interface GeneratedOutput {
  file: QueryFile;
  /** The generated file's text; null when the file holds no queries (pgtyped writes nothing). */
  content: string | null;
}

export interface GenerationResult {
  outputs: GeneratedOutput[];
  problems: QueryProblem[];
  warnings: string[];
}

interface ParseError {
  errorCode?: string;
  message?: string;
  hint?: string;
  position?: string;
}

/** pgtyped reports invalid queries on the console and goes on (issue 574); rb collects them per file. */
const captured = new AsyncLocalStorage<unknown[][]>();

function withConsoleCapture<T>(work: () => Promise<T>): Promise<T> {
  const original = { error: console.error, log: console.log };
  const capture = (fallback: (...args: unknown[]) => void) => (...args: unknown[]) => {
    const store = captured.getStore();
    if (store) store.push(args);
    else fallback(...args);
  };
  console.error = capture(original.error);
  console.log = capture(original.log);
  return work().finally(() => Object.assign(console, original));
}

function dbOptions(url: string) {
  const u = new URL(url);
  const sslmode = u.searchParams.get('sslmode');
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || 'postgres',
    password: u.password ? decodeURIComponent(u.password) : undefined,
    dbName: decodeURIComponent(u.pathname.slice(1)),
    ssl: sslmode && sslmode !== 'disable' && sslmode !== 'prefer' && sslmode !== 'allow'
      ? { rejectUnauthorized: sslmode === 'verify-ca' || sslmode === 'verify-full' }
      : undefined,
  };
}

/** One of pgtyped's connections; `lost` rejects when its socket fails or closes. */
interface PgtypedConnection {
  queue: WireQueue;
  lost: Promise<never>;
}

async function openConnection(lib: PgtypedLibrary, url: string): Promise<PgtypedConnection> {
  const queue = new lib.AsyncQueue();
  queue.socket.setNoDelay(true); // the reason pgtyped's CLI is slow (field notes §3)
  // pgtyped's wire client listens for no socket error and never learns that a connection closed:
  // an error would end rb with a stack trace, a closed connection would leave pgtyped waiting.
  const lost = new Promise<never>((_resolve, reject) => {
    queue.socket.on('error', (error) => reject(new ConnectionError(`pgtyped's connection to ${maskUrl(url)} failed: ${error.message}`)));
    queue.socket.on('close', () => reject(new ConnectionError(`pgtyped's connection to ${maskUrl(url)} was closed by the server; run rb types again`)));
  });
  lost.catch(() => {}); // raced below and in generateQueryTypes; closing it ourselves rejects it unheard
  try {
    await Promise.race([pgtypedLogin(lib, dbOptions(url), queue), lost]);
  } catch (error) {
    queue.socket.destroy();
    throw new ConnectionError(`pgtyped could not connect to ${maskUrl(url)}: ${(error as Error).message}`);
  }
  queue.socket.setNoDelay(true);
  return { queue, lost };
}

/**
 * Types only the schema knows: a domain gets its base type's mapping (pgtyped would write
 * `unknown` for its parameters); composite and range types get `string`, the text postgres.js returns.
 */
async function schemaTypes(url: string): Promise<{ domains: Map<string, string>; textual: string[] }> {
  const rows = await withClient(url, (sql) => sql<{ name: string; kind: string; base: string | null }[]>`
    select t.typname as name, t.typtype as kind, b.typname as base
    from pg_type t join pg_namespace n on n.oid = t.typnamespace left join pg_type b on b.oid = t.typbasetype
    where t.typtype in ('d', 'c', 'r') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')`);
  return {
    domains: new Map(rows.filter((r) => r.kind === 'd' && r.base).map((r) => [r.name, r.base!])),
    textual: rows.filter((r) => r.kind !== 'd').map((r) => r.name),
  };
}

function typeMapping(lib: PgtypedLibrary, settings: TypesSettings, { domains, textual }: { domains: Map<string, string>; textual: string[] }) {
  const parsed: Record<string, { parameter?: PgType; return?: PgType }> = {};
  for (const [name, value] of Object.entries(settings.typesOverrides)) {
    parsed[name] = typeof value === 'string'
      ? { parameter: lib.stringToType(value), return: lib.stringToType(value) }
      : { parameter: value.parameter ? lib.stringToType(value.parameter) : undefined, return: value.return ? lib.stringToType(value.return) : undefined };
  }
  const base = lib.TypeMapping(parsed);
  for (const [domain, baseType] of domains) {
    if (!(domain in parsed) && base[baseType]) parsed[domain] = base[baseType];
  }
  for (const name of textual) if (!(name in parsed)) parsed[name] = { parameter: { name: 'string' }, return: { name: 'string' } };
  return lib.TypeMapping(parsed);
}

function describeProblem(error: ParseError): string {
  const hint = error.hint ? `; hint: ${error.hint}` : '';
  // pgtyped keeps the server's routine name (fields.R, e.g. errorMissingColumn), not the SQLSTATE.
  return `${error.message ?? 'invalid query'}${hint}`;
}

/** Line of the `@name` annotation that introduces a query (the statement's own line as a fallback). */
function annotationLine(contents: string, ast: SqlQueryAst): number {
  const at = contents.lastIndexOf('@name', ast.statement.loc.a);
  const index = at === -1 ? ast.statement.loc.a : at;
  return (contents.slice(0, index).match(/\n/g) ?? []).length + 1;
}

/**
 * Queries of one file whose names give the same exported constant (the same @name, or names such
 * as GetUser and getUser that pgtyped camel-cases alike): pgtyped writes both `export const`s,
 * and the generated file does not compile.
 */
function duplicateNames(contents: string, relative: string, typed: TypeDeclarationSet['typedQueries']): QueryProblem[] {
  const first = new Map<string, { name: string; line: number }>();
  const problems: QueryProblem[] = [];
  for (const { query } of typed) {
    const line = annotationLine(contents, query.ast);
    const earlier = first.get(query.name);
    if (!earlier) {
      first.set(query.name, { name: query.ast.name, line });
      continue;
    }
    const clash = earlier.name === query.ast.name
      ? `the name ${query.ast.name} is also used by the query at ${relative}:${earlier.line}`
      : `${query.ast.name} and ${earlier.name} (${relative}:${earlier.line}) would both be exported as ${query.name}`;
    problems.push({ file: relative, line, query: query.ast.name, message: `${clash}; give each query of a file its own @name` });
  }
  return problems;
}

/** A query file read and parsed (its annotations checked) before the connections are ready. */
interface ParsedFile {
  file: QueryFile;
  contents: string;
}

/** Reads and parses one query file; undefined (with the problems recorded) when its annotations do not parse. */
function parseQueryFile(lib: PgtypedLibrary, file: QueryFile, result: GenerationResult): ParsedFile | undefined {
  const contents = readFileSync(file.path, 'utf8').replace(/\r\n/g, '\n');
  const parsed = lib.parseSQLFile(contents);
  const critical = parsed.events.filter((e) => e.critical);
  if (critical.length) {
    for (const event of critical) {
      result.problems.push({ file: file.relative, line: event.location?.line, message: `cannot parse the pgtyped annotations: ${event.message.text}` });
    }
    return undefined;
  }
  for (const event of parsed.events) {
    result.warnings.push(`${file.relative}${event.location ? `:${event.location.line}` : ''}: ${event.message.text}`);
  }
  return { file, contents };
}

async function generateOne(lib: PgtypedLibrary, connection: WireQueue, { file, contents }: ParsedFile, settings: TypesSettings,
  mapping: ReturnType<PgtypedLibrary['TypeMapping']>, result: GenerationResult): Promise<void> {
  const types = new lib.TypeAllocator(mapping);
  types.use({ name: 'PreparedQuery', from: '@pgtyped/runtime' }, 'return');
  const logged: unknown[][] = [];
  const set = await captured.run(logged, () => lib.generateTypedecsFromFile(
    contents, file.relative, connection, { mode: 'sql', include: file.transform.include }, types,
    { hungarianNotation: settings.hungarianNotation, camelCaseColumnNames: settings.camelCaseColumnNames, nonEmptyArrayParams: settings.nonEmptyArrayParams, failOnError: false },
  ));
  // Each invalid query logs exactly one console.error, in query order.
  const errors = logged.filter(([first]) => typeof first === 'string' && (first.startsWith('Error in query') || first.startsWith('Query ')));
  let next = 0;
  for (const typed of set.typedQueries) {
    if (!typed.typeDeclaration.includes('is invalid, so its result is assigned type')) continue;
    const [text, details] = errors[next++] ?? [];
    const error = (typeof details === 'object' && details !== null ? details : { message: String(text) }) as ParseError;
    const ast = typed.query.ast;
    let line = ast.statement.loc.line;
    let listHint = '';
    if (error.position) {
      const query = lib.processSQLQueryIR(lib.queryASTToIR(ast)).query;
      const before = query.slice(0, Number(error.position) - 1);
      line += (before.match(/\n/g) ?? []).length;
      // `in :ids` without `@param ids -> (...)` reaches the server as `in $1`.
      if (/\bin\s*$/i.test(before) && /^\$\d/.test(query.slice(Number(error.position) - 1))) {
        listHint = '; a list after IN needs a spread parameter: declare it with "@param ids -> (...)" in the query\'s comment and write "in :ids"';
      }
    }
    const message = (error.errorCode ? describeProblem(error) : String(text).replace(/^Query '[^']*' is invalid\. /, '')) + listHint;
    result.problems.push({ file: file.relative, line, query: ast.name, message });
  }
  result.problems.push(...duplicateNames(contents, file.relative, set.typedQueries));
  for (const error of new Map(types.errors.map((e) => [e.message, e])).values()) {
    result.warnings.push(`${file.relative}: ${error.message}; it is typed "unknown" (add a typesOverrides entry in the pgtyped config)`);
  }
  result.outputs.push({ file, content: set.typedQueries.length > 0 ? importFromRuntimePackage(lib.generateDeclarationFile(set)) : null });
}

/**
 * Generates the typed query files for `files` against the database at `url` (the shadow),
 * in memory: the caller decides whether to write or to compare.
 */
export async function generateQueryTypes(files: QueryFile[], settings: TypesSettings, url: string, connections = 4): Promise<GenerationResult> {
  const result: GenerationResult = { outputs: [], problems: [], warnings: [] };
  if (files.length === 0) return result;
  // Connections first, then the parsing (CPU) while the server answers them. (Not before the
  // shadow database is known to exist: pgtyped's login calls process.exit(1) when it fails.)
  const typesRead = schemaTypes(url);
  typesRead.catch(() => {}); // awaited below
  const lib = await loadPgtyped();
  const opening = Promise.allSettled(Array.from({ length: Math.min(connections, files.length) }, () => openConnection(lib, url)));
  const parsed = files.map((file) => parseQueryFile(lib, file, result)).filter((p): p is ParsedFile => p !== undefined);
  const opened = await opening;
  const connected = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  try {
    const failed = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    const mapping = typeMapping(lib, settings, await typesRead);
    let index = 0;
    await Promise.race([withConsoleCapture(() => Promise.all(connected.map(async ({ queue }) => {
      while (index < parsed.length) {
        const file = parsed[index++];
        await generateOne(lib, queue, file, settings, mapping, result);
      }
    }))), ...connected.map((c) => c.lost)]);
  } finally {
    for (const { queue } of connected) queue.socket.destroy();
  }
  const order = new Map(files.map((f, i) => [f.path, i]));
  result.outputs.sort((a, b) => order.get(a.file.path)! - order.get(b.file.path)!);
  result.problems.sort((a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
  return result;
}
