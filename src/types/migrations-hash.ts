import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Bumped when the way the shadow is built changes, so old shadows get rebuilt. */
const SHADOW_FORMAT = 1;

/** Hash of every migration file (name and content) and the schemas: the shadow's identity. */
export function migrationsHash(migrationsDir: string, schemas: readonly string[]): string {
  const hash = createHash('sha256').update(`rb-shadow-${SHADOW_FORMAT}\0${schemas.join(',')}\0`);
  if (existsSync(migrationsDir)) {
    for (const name of readdirSync(migrationsDir).filter((n) => n.endsWith('.sql')).sort()) {
      hash.update(name).update('\0').update(readFileSync(path.join(migrationsDir, name))).update('\0');
    }
  }
  return hash.digest('hex').slice(0, 32);
}
