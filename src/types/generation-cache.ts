import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * .rb/types-cache.json: for each query file, the key of its inputs (file text, migrations hash,
 * pgtyped config, rb's type choices, pgtyped version) and the output those inputs produced.
 * A run whose keys all match needs neither the database nor pgtyped.
 */
export interface CacheEntry {
  key: string;
  /** Generated text (null: the file holds no queries). */
  content: string | null;
  /** What rb types warns about in the file ($1 placeholders), repeated on cached runs. */
  warnings?: string[];
}

interface CacheFile {
  format: 1;
  entries: Record<string, CacheEntry>;
}

export function cacheFile(stateDir: string): string {
  return path.join(stateDir, 'types-cache.json');
}

export function readCache(stateDir: string): Record<string, CacheEntry> {
  try {
    const parsed = JSON.parse(readFileSync(cacheFile(stateDir), 'utf8')) as CacheFile;
    return parsed.format === 1 && parsed.entries ? parsed.entries : {};
  } catch {
    return {}; // no cache yet, or unreadable: everything is regenerated
  }
}

export function writeCache(stateDir: string, entries: Record<string, CacheEntry>): void {
  mkdirSync(stateDir, { recursive: true });
  const file = cacheFile(stateDir);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify({ format: 1, entries } satisfies CacheFile));
  renameSync(temp, file); // atomic: a concurrent reader sees the old or the new cache
}

export function inputKey(parts: readonly string[], fileText: string): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.update(fileText).digest('hex').slice(0, 32);
}
