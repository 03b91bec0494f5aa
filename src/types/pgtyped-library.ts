import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RbError } from '../errors.ts';
import { runWithCodeCache, type CodeCachedModule } from './code-cache.ts';

/**
 * The parts of pgtyped 2.4 that rb drives in-process (its CLI's own modules, unchanged, bundled
 * at build time: src/build/bundle-pgtyped.js): one process, a few no-delay connections, no worker
 * pool and no per-thread startup. Field notes §3: the CLI's wire client never sets TCP_NODELAY,
 * which makes it mostly wait.
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

/**
 * rb's bundle of pgtyped (dist/vendor/, written by src/build/bundle-pgtyped.js at build time from
 * the exact versions in package.json), beside dist/cli/ once compiled, under src/dist/ for the
 * TypeScript sources the tests run.
 */
function vendorFile(name: string): URL {
  const candidates = [new URL(`../vendor/${name}`, import.meta.url), new URL(`../dist/vendor/${name}`, import.meta.url)];
  const found = candidates.find((url) => existsSync(url));
  if (!found) {
    throw new RbError(`rb's bundled pgtyped (${fileURLToPath(candidates[0])}) is missing; run "npm run build" in @rbsql/cli (make build here), or reinstall @rbsql/cli`);
  }
  return found;
}

let loading: Promise<CodeCachedModule<PgtypedLibrary>> | undefined;

/** What rb calls in the bundle (PgtypedLibrary's functions and classes). */
const LIBRARY_FUNCTIONS = [
  'generateTypedecsFromFile', 'generateDeclarationFile', 'TypeAllocator', 'TypeMapping', 'stringToType', 'parseSQLFile',
  'queryASTToIR', 'processSQLQueryIR', 'startup', 'AsyncQueue',
] as const satisfies readonly (keyof PgtypedLibrary)[];

/** Where the bundle's compiled code is kept between runs (code-cache.ts). */
const CODE_CACHE_FILE = 'pgtyped.code-cache';

/**
 * pgtyped's modules, loaded once per process (rb types --watch keeps them). One bundled file:
 * loading pgtyped from node_modules cost ~300-400 ms a run here, the bundle ~50 ms, and ~20 ms
 * with V8's code cache kept in `stateDir` (README, "What each command costs"). The load is
 * synchronous CPU work: it starts on the next turn of the event loop, so that connections the
 * caller opened just before are under way meanwhile.
 */
export function loadPgtyped(stateDir?: string): Promise<PgtypedLibrary> {
  loading ??= new Promise<CodeCachedModule<PgtypedLibrary>>((resolve, reject) => setImmediate(() => {
    try {
      const file = fileURLToPath(vendorFile('pgtyped.cjs'));
      try {
        const loaded = runWithCodeCache<PgtypedLibrary>(file, stateDir && path.join(stateDir, CODE_CACHE_FILE));
        const missing = LIBRARY_FUNCTIONS.filter((name) => typeof loaded.exports[name] !== 'function');
        if (missing.length > 0) throw new Error(`it does not export ${missing.join(', ')}`);
        resolve(loaded);
      } catch (error) {
        if (error instanceof RbError) throw error;
        throw new RbError(`rb's bundled pgtyped (${file}) cannot be loaded (${(error as Error).message.split('\n')[0]}); it is damaged: reinstall @rbsql/cli (make build in a checkout)`);
      }
    } catch (error) {
      reject(error);
    }
  }));
  return loading.then((loaded) => loaded.exports);
}

/** Keeps the code V8 compiled for pgtyped (after a generation, so it covers the functions that ran) when it was not cached yet. */
export async function savePgtypedCodeCache(): Promise<void> {
  if (loading) (await loading).saveCache();
}

/** Every bundled package with its version (pgtyped's and its dependencies'), without loading them: part of the cache key. */
export function pgtypedVersions(): string {
  return JSON.stringify((JSON.parse(readFileSync(vendorFile('pgtyped.json'), 'utf8')) as { packages: Record<string, string> }).packages);
}
