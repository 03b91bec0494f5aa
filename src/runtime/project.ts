import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The app's project root and what it says about rb: one place for the toolkit (every `rb`
 * command) and the runtime (createClient's defaults). Imported by the toolkit as
 * '@rbsql/runtime/project' (no postgres.js, nothing heavy).
 */

/** The folder rb keeps its local state in (embedded server, caches, dumps), under the project root. */
export const STATE_DIR_NAME = '.rb';

/** The project's folders and files, relative to its root, unless package.json "rb" says otherwise. */
export const DEFAULT_LAYOUT = { migrationsDir: 'db/migrations', schemaFile: 'db/schema.sql', backfillDir: 'backfill' } as const;

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // unreadable or not JSON: the toolkit's config loading reports it
  }
}

/** An rb project: its package.json has an "rb" key or lists @rbsql/cli, or the folder has db/migrations. */
function isRbProject(dir: string, pkg: unknown): boolean {
  if (existsSync(path.join(dir, DEFAULT_LAYOUT.migrationsDir))) return true;
  if (typeof pkg !== 'object' || pkg === null) return false;
  const p = pkg as Record<string, unknown>;
  if (p['rb'] !== undefined) return true;
  return ['dependencies', 'devDependencies'].some((key) => {
    const deps = p[key];
    return typeof deps === 'object' && deps !== null && '@rbsql/cli' in deps;
  });
}

/**
 * The project root, found as npm and Prisma do, by walking up from `start`: the nearest folder
 * with a package.json that is an rb project (an "rb" key, @rbsql/cli among its dependencies, or a
 * db/migrations folder); failing that, the nearest folder with a package.json; failing that,
 * `start` itself. So `rb` run from `src/`, or from a workspace package of a monorepo whose root
 * holds the migrations, works on the app, and a package with migrations of its own is its own project.
 */
export function findProjectRoot(start: string = process.cwd()): string {
  let nearest: string | undefined;
  for (let dir = path.resolve(start); ; ) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      if (isRbProject(dir, readJson(file))) return dir;
      nearest ??= dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return nearest ?? path.resolve(start);
    dir = parent;
  }
}

/** The raw "rb" object of the project's package.json (undefined when there is none or it is unreadable). */
export function readRbSettings(projectDir: string): unknown {
  const pkg = readJson(path.join(projectDir, 'package.json'));
  return typeof pkg === 'object' && pkg !== null ? (pkg as Record<string, unknown>)['rb'] : undefined;
}

/** Parses a dotenv file: KEY=VALUE lines, optional `export `, quotes, # comments. */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2]!;
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    values[match[1]!] = value;
  }
  return values;
}

/** The project's .env (as dbmate and rb read it), or {} when there is none. */
export function readDotenv(projectDir: string): Record<string, string> {
  const file = path.join(projectDir, '.env');
  return existsSync(file) ? parseDotenv(readFileSync(file, 'utf8')) : {};
}
