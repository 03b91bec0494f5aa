import { existsSync, readFileSync } from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The parts of pgtyped 2.4 that rb drives in-process (its CLI's own modules, unchanged): one
 * process, a few no-delay connections, no worker pool and no per-thread startup. Field notes §3:
 * the CLI's wire client never sets TCP_NODELAY, which makes it mostly wait.
 */

export interface PgType {
  name: string;
  definition?: string;
  from?: string;
  aliasOf?: string;
}

export interface TypeAllocatorInstance {
  errors: Error[];
  use(type: PgType | string, scope: string): string;
}

export interface SqlQueryAst {
  name: string;
  statement: { loc: { a: number; b: number; line: number; col: number }; body: string };
}

export interface ParseEvent {
  type: number;
  critical?: true;
  message: { text: string };
  location?: { line: number; col: number };
}

export interface TypeDeclarationSet {
  typedQueries: { query: { name: string; ast: SqlQueryAst }; typeDeclaration: string }[];
  typeDefinitions: unknown;
  fileName: string;
}

export interface WireQueue {
  socket: import('node:net').Socket;
}

export interface GeneratorConfig {
  hungarianNotation: boolean;
  camelCaseColumnNames: boolean;
  nonEmptyArrayParams: boolean;
  failOnError: boolean;
}

export interface PgtypedLibrary {
  version: string;
  generateTypedecsFromFile(
    contents: string, fileName: string, connection: WireQueue, transform: { mode: 'sql'; include: string },
    types: TypeAllocatorInstance, config: GeneratorConfig,
  ): Promise<TypeDeclarationSet>;
  generateDeclarationFile(set: TypeDeclarationSet): string;
  TypeAllocator: new (mapping: Record<string, { parameter: PgType; return: PgType }>) => TypeAllocatorInstance;
  TypeMapping(overrides: Record<string, { parameter?: PgType; return?: PgType }>): Record<string, { parameter: PgType; return: PgType }>;
  stringToType(text: string): PgType;
  parseSQLFile(text: string): { queries: SqlQueryAst[]; events: ParseEvent[] };
  queryASTToIR(ast: SqlQueryAst): unknown;
  processSQLQueryIR(ir: unknown): { query: string };
  startup(options: { host: string; port: number; user: string; password?: string; dbName: string; ssl?: object | boolean }, queue: WireQueue): Promise<void>;
  AsyncQueue: new () => WireQueue;
}

/** Finds a package the way Node would from `fromDir` (pgtyped's own dependencies, hoisted or nested). */
function packageEntry(fromDir: string, name: string): { dir: string; entry: string; version: string } {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const pkgDir = path.join(dir, 'node_modules', name);
    const manifest = path.join(pkgDir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string; main?: string; exports?: Record<string, { import?: string }> };
      const entry = pkg.exports?.['.']?.import ?? pkg.main ?? 'index.js';
      return { dir: pkgDir, entry: path.join(pkgDir, entry), version: pkg.version };
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find ${name} from ${fromDir}`);
  }
}

/**
 * A resolve hook for pgtyped's CLI modules (nothing in node_modules changes):
 * - its generator imports its TypeScript-file parser, which loads the whole TypeScript compiler
 *   (0.6-1 s here) although rb only drives the sql mode, which never calls it: that one import,
 *   from that one pgtyped file, gets a stand-in that throws if used;
 * - its generator imports @pgtyped/runtime, which @pgtyped/cli 2.4 does not declare (like
 *   @pgtyped/parser before pgtyped PR 505): hoisted installs find it by chance, isolated ones
 *   (pnpm, npm --install-strategy=linked) do not. Those imports get rb's own @pgtyped/runtime.
 */
function pgtypedHook(runtimeUrl: string): string {
  return `
const STUB = 'data:text/javascript,' + encodeURIComponent(
  "export default new Proxy({}, { get(_, key) { throw new Error('rb loads pgtyped without TypeScript (sql mode only); typescript.' + String(key) + ' is not available'); } });");
const RUNTIME = ${JSON.stringify(runtimeUrl)};
export async function resolve(specifier, context, next) {
  if (specifier === 'typescript' && context.parentURL && context.parentURL.endsWith('/@pgtyped/cli/lib/parseTypescript.js')) {
    return { url: STUB, shortCircuit: true };
  }
  if (specifier === '@pgtyped/runtime' && context.parentURL && context.parentURL.includes('/@pgtyped/cli/lib/')) {
    return { url: RUNTIME, shortCircuit: true };
  }
  return next(specifier, context);
}`;
}

let loading: Promise<PgtypedLibrary> | undefined;

export function loadPgtyped(): Promise<PgtypedLibrary> {
  loading ??= (async () => {
    const runtimeUrl = import.meta.resolve('@pgtyped/runtime');
    register(`data:text/javascript,${encodeURIComponent(pgtypedHook(runtimeUrl))}`);
    // @pgtyped/cli exports only its CLI entry ("./*" -> lib/index.js); its other modules sit beside it.
    const cliLib = path.dirname(fileURLToPath(import.meta.resolve('@pgtyped/cli/lib/index.js')));
    const cliDir = path.dirname(cliLib);
    const load = (file: string) => import(pathToFileURL(file).href);
    const [generator, types, config, parser, query, wire, runtime] = await Promise.all([
      load(path.join(cliLib, 'generator.js')),
      load(path.join(cliLib, 'types.js')),
      load(path.join(cliLib, 'config.js')),
      load(packageEntry(cliDir, '@pgtyped/parser').entry),
      load(packageEntry(cliDir, '@pgtyped/query').entry),
      load(packageEntry(cliDir, '@pgtyped/wire').entry),
      import(runtimeUrl),
    ]);
    const version = (JSON.parse(readFileSync(path.join(cliDir, 'package.json'), 'utf8')) as { version: string }).version;
    return {
      version,
      generateTypedecsFromFile: generator.generateTypedecsFromFile,
      generateDeclarationFile: generator.generateDeclarationFile,
      TypeAllocator: types.TypeAllocator,
      TypeMapping: types.TypeMapping,
      stringToType: config.stringToType,
      parseSQLFile: parser.parseSQLFile,
      queryASTToIR: parser.queryASTToIR,
      processSQLQueryIR: runtime.processSQLQueryIR,
      startup: query.startup,
      AsyncQueue: wire.AsyncQueue,
    } as PgtypedLibrary;
  })();
  return loading;
}

/** pgtyped's version without loading it (for the cache key). */
export function pgtypedVersion(): string {
  const cliLib = path.dirname(fileURLToPath(import.meta.resolve('@pgtyped/cli/lib/index.js')));
  return (JSON.parse(readFileSync(path.join(path.dirname(cliLib), 'package.json'), 'utf8')) as { version: string }).version;
}
