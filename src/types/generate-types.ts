import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { relativeToProject, type Config } from '../config.ts';
import { InterruptedError } from '../errors.ts';
import { stopSignalOf } from '../interrupt.ts';
import { inputKey, readCache, writeCache, type CacheEntry } from './generation-cache.ts';
import { findOrphans, listQueryFiles, loadTypesSettings, type QueryFile } from './pgtyped-config.ts';
import { loadPgtyped, pgtypedVersions, savePgtypedCodeCache } from './pgtyped-library.ts';
import type { QueryProblem } from './pgtyped-generator.ts';
import { migrationsHash } from './migrations-hash.ts';
import { positionalParameterWarnings, sourceWarnings } from './query-warnings.ts';
import type { ShadowDatabase } from './shadow-database.ts';
// The type choices alone, not the whole runtime: checking the cache needs no postgres.js.
import { TYPE_CHOICES_VERSION } from '@rbsql/runtime/type-choices';

/** `orphan`: a generated file whose query file is gone (`removed` once rb deleted it). */
export type FileStatus = 'written' | 'unchanged' | 'stale' | 'missing' | 'no-queries' | 'orphan' | 'removed';

export interface FileOutcome {
  /** Query file, relative to the project. */
  source: string;
  /** Generated file, relative to the project. */
  output: string;
  status: FileStatus;
}

export interface TypesOptions {
  /** Compare with the files on disk instead of writing them (`rb types --check`). */
  check?: boolean;
  /** Resolves the server that holds the shadow database; called only when something must be generated. */
  serverUrl: () => Promise<string>;
  /** Ignore the cache (benchmarks, the first run after a server change). */
  noCache?: boolean;
  /** Aborted on Ctrl-C / SIGTERM (src/interrupt.ts): the run stops before it writes anything. */
  signal?: AbortSignal;
}

/** Stops the run when `signal` was aborted: nothing was written yet. */
function stopIfAsked(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const stop = stopSignalOf(signal);
  throw new InterruptedError(`rb types stopped by ${stop}; nothing was written`, stop);
}

export interface TypesResult {
  check: boolean;
  files: FileOutcome[];
  /** Invalid queries: when there are any, nothing was written. */
  problems: QueryProblem[];
  warnings: string[];
  /** Config settings rb does not use (a note for the user). */
  ignored: string[];
  /** Query files that went through pgtyped in this run (the rest came from the cache). */
  generated: number;
  shadow?: ShadowDatabase;
}

/** `work`, unless `signal` aborts first (then it stops at once: pgtyped's sockets close with rb). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      try {
        stopIfAsked(signal);
      } catch (error) {
        reject(error);
      }
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Bumped when rb changes how it generates or what it refuses: part of the cache key. */
const GENERATOR_VERSION = 4;

function readIfExists(file: string): string | null {
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

/**
 * `rb types`: generates queries/*.queries.ts with pgtyped against the shadow database, reusing
 * the cache for files whose inputs did not change; with `check`, compares instead of writing.
 */
export async function generateTypes(config: Config, options: TypesOptions): Promise<TypesResult> {
  const check = Boolean(options.check);
  const settings = loadTypesSettings(config.projectDir);
  const files = listQueryFiles(config.projectDir, settings);
  const hash = migrationsHash(config.migrationsDir, config.schemas);
  const keyParts = [`rb-types-${GENERATOR_VERSION}-${TYPE_CHOICES_VERSION}`, pgtypedVersions(), hash, settings.fingerprint];
  const cache = options.noCache ? {} : readCache(config.stateDir);
  const texts = new Map(files.map((f) => [f.path, readFileSync(f.path, 'utf8')]));
  const keys = new Map(files.map((f) => [f.path, inputKey([...keyParts, f.relative], texts.get(f.path)!)]));

  const known = new Map<string, string | null>();
  /** $1 warnings per file: from the cache for unchanged files (a cached run does not lex the SQL). */
  const fileWarnings = new Map<string, string[]>();
  const toGenerate: QueryFile[] = [];
  for (const file of files) {
    const entry = cache[file.relative];
    if (entry && entry.key === keys.get(file.path)) {
      known.set(file.path, entry.content);
      if (entry.warnings) fileWarnings.set(file.path, entry.warnings);
    }
    else toGenerate.push(file);
  }

  const shown = (file: string) => relativeToProject(config, file);
  for (const file of files) {
    if (!fileWarnings.has(file.path)) fileWarnings.set(file.path, positionalParameterWarnings(file.relative, texts.get(file.path)!));
  }
  const warnings = [...sourceWarnings(settings, files, shown), ...files.flatMap((f) => fileWarnings.get(f.path)!)];
  const result: TypesResult = { check, files: [], problems: [], warnings, ignored: settings.ignored, generated: toGenerate.length };
  if (toGenerate.length > 0) {
    // Load pgtyped while the server and the shadow database are checked (CPU vs waiting on I/O).
    const server = options.serverUrl();
    loadPgtyped(config.stateDir).catch(() => {}); // the same promise is awaited (and its error thrown) below
    const serverUrl = await server;
    stopIfAsked(options.signal);
    const { ensureShadowDatabase } = await import('./shadow-database.ts');
    result.shadow = await ensureShadowDatabase({
      serverUrl, projectDir: config.projectDir, migrationsDir: config.migrationsDir, schemas: config.schemas, hash, signal: options.signal,
    });
    stopIfAsked(options.signal);
    const { generateQueryTypes } = await import('./pgtyped-generator.ts');
    const generating = generateQueryTypes(toGenerate, settings, result.shadow.url);
    const generation = options.signal ? await untilAborted(generating, options.signal) : await generating;
    result.problems = generation.problems;
    result.warnings.push(...generation.warnings);
    if (result.problems.length > 0) return result;
    for (const output of generation.outputs) known.set(output.file.path, output.content);
    await savePgtypedCodeCache();
  }

  const entries: Record<string, CacheEntry> = {};
  for (const file of files) {
    const content = known.get(file.path) ?? null;
    const found = fileWarnings.get(file.path)!;
    entries[file.relative] = { key: keys.get(file.path)!, content, warnings: found };
    const output = path.relative(config.projectDir, file.outputPath);
    const onDisk = readIfExists(file.outputPath);
    let status: FileStatus;
    if (content === null) status = 'no-queries';
    else if (onDisk === content) status = 'unchanged';
    else if (check) status = onDisk === null ? 'missing' : 'stale';
    else {
      mkdirSync(path.dirname(file.outputPath), { recursive: true });
      writeFileSync(file.outputPath, content);
      status = 'written';
    }
    result.files.push({ source: file.relative, output, status });
  }
  for (const orphan of findOrphans(config.projectDir, settings, files)) {
    if (!check) rmSync(path.join(config.projectDir, orphan.output));
    result.files.push({ ...orphan, status: check ? 'orphan' : 'removed' });
  }
  // Every file came from the cache and it holds nothing else: it is current as it is.
  const cacheCurrent = toGenerate.length === 0 && Object.keys(cache).length === files.length;
  if (!options.noCache && !cacheCurrent) writeCache(config.stateDir, entries);
  return result;
}
