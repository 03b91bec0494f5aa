import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';

/**
 * A CommonJS file run with V8's code cache: the bytecode V8 compiled for it (including the functions
 * compiled while it ran) is kept in `cacheFile` and handed back to V8 the next time, which then
 * skips parsing and compiling. Node 22 does this for every module (module.enableCompileCache);
 * Node 20, which rb supports, does not. For rb's pgtyped bundle (1.2 MB) this saves ~30 ms of each
 * `rb types` that generates (README, "What each command costs").
 *
 * The cache is only a shortcut: V8 checks it against the source text, its own version and flags
 * and rejects anything else (cachedDataRejected), and then the file is compiled as usual and the
 * cache written anew. It lives in the project's .rb/, which only the project's owner writes.
 */
export interface CodeCachedModule<T> {
  exports: T;
  /** Writes the cache when there was none or V8 rejected it; call it once the code has run its usual path. */
  saveCache(): void;
}

export function runWithCodeCache<T>(file: string, cacheFile: string | undefined): CodeCachedModule<T> {
  const source = readFileSync(file, 'utf8');
  let cachedData: Buffer | undefined;
  if (cacheFile) {
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      // no cache yet (or unreadable): compile as usual, saveCache writes one
    }
  }
  // The wrapper Node puts around every CommonJS module.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} as T };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  let current = cachedData !== undefined && !script.cachedDataRejected;
  return {
    exports: module.exports,
    saveCache() {
      if (current || !cacheFile) return;
      current = true;
      const partial = `${cacheFile}.${process.pid}.partial`;
      try {
        mkdirSync(path.dirname(cacheFile), { recursive: true });
        writeFileSync(partial, script.createCachedData());
        renameSync(partial, cacheFile);
      } catch {
        // A cache that cannot be written (read-only project, full disk) only costs time.
        rmSync(partial, { force: true });
      }
    },
  };
}
