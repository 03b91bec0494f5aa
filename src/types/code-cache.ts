import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';

/**
 * A CommonJS file run with V8's code cache: the bytecode V8 compiled for it (including the functions
 * compiled while it ran) is kept in `cacheFile` and handed back to V8 the next time, which then
 * skips parsing and compiling. Node 22 does this for every module (module.enableCompileCache);
 * Node 20, which rb supports, does not. For rb's pgtyped bundle (1.2 MB) this saves ~20 ms of each
 * `rb types` that generates (README, "What each command costs").
 *
 * The cache is only a shortcut, and V8 trusts what it is given: it rejects a cache of another V8
 * version, other flags or a source of another length, but damaged bytes crash the process (a V8
 * fatal error, exit 133) and a same-length edit of the source would run the old code. So the file
 * starts with a header of rb's own: the SHA-256 of the source the cache was made from and of the
 * cache bytes (~1.3 ms for both). Anything that does not match is not handed to V8: the file is
 * compiled as usual and the cache written anew. It lives in the project's .rb/.
 */
export interface CodeCachedModule<T> {
  exports: T;
  /** Writes the cache when there was none or it was not used; call it once the code has run its usual path. */
  saveCache(): void;
}

const MAGIC = 'rb-v8-code-cache 1';

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The cache bytes in `cacheFile` when they were made from `sourceHash` and are intact, else undefined. */
function readCache(cacheFile: string, sourceHash: string): Buffer | undefined {
  let file: Buffer;
  try {
    // A FIFO or a folder in its place would block or fail the read: only a regular file is read.
    if (!statSync(cacheFile).isFile()) return undefined;
    file = readFileSync(cacheFile);
  } catch {
    return undefined; // no cache yet (or unreadable): compile as usual, saveCache writes one
  }
  const header = file.subarray(0, 256).toString('latin1').split('\n', 3);
  if (header.length < 3 || header[0] !== MAGIC || header[1] !== sourceHash) return undefined;
  const data = file.subarray(header.join('\n').length + 1);
  return sha256(data) === header[2] ? data : undefined;
}

export function runWithCodeCache<T>(file: string, cacheFile: string | undefined): CodeCachedModule<T> {
  const bytes = readFileSync(file);
  const sourceHash = cacheFile ? sha256(bytes) : '';
  const cachedData = cacheFile ? readCache(cacheFile, sourceHash) : undefined;
  // The wrapper Node puts around every CommonJS module.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${bytes.toString('utf8')}\n})`, { filename: file, cachedData });
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
        const data = script.createCachedData();
        mkdirSync(path.dirname(cacheFile), { recursive: true });
        writeFileSync(partial, Buffer.concat([Buffer.from(`${MAGIC}\n${sourceHash}\n${sha256(data)}\n`, 'latin1'), data]));
        renameSync(partial, cacheFile);
      } catch {
        // A cache that cannot be written (read-only project, full disk, a folder in its place) only costs time.
        rmSync(partial, { force: true });
      }
    },
  };
}
