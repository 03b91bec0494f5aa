import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { relativeToProject, type Config } from '../config.ts';
import { UsageError } from '../errors.ts';
import { quoteIdent } from '../local-db/ensure-database.ts';
import { migrationSlug, utcVersion } from '../migrations/new-migration.ts';
import { PGTYPED_CONFIG_FILE } from '../types/pgtyped-config.ts';
import { readPackageJson, writePackageJson } from './package-json.ts';
import { searchPath } from '@rbsql/runtime';

/**
 * `rb init`: sets rb up in an existing app without overwriting anything. Every step looks first
 * and only adds what is missing, so a second run changes nothing.
 */

/** The npm scripts rb init adds (an existing script of the same name is kept as it is). */
export const NPM_SCRIPTS: Readonly<Record<string, string>> = {
  'db:migrate': 'rb upgrade',
  'db:rollback': 'rb downgrade',
  'db:status': 'rb status',
  'db:new': 'rb new-migration',
  'db:types': 'rb types',
  'db:check': 'rb check',
  'db:start': 'rb db start',
  'db:stop': 'rb db stop',
};

/** Lines rb init makes sure .gitignore has: the embedded server's data, dumps and caches; secrets. */
export const GITIGNORE_ENTRIES = ['.rb/', '.env'] as const;

export type StepStatus = 'created' | 'updated' | 'kept';

export interface InitStep {
  /** What the step is about, relative to the project: "db/migrations/", "package.json scripts.db:migrate". */
  what: string;
  status: StepStatus;
  detail: string;
}

export interface InitOptions {
  /** The schemas for a new "rb.schemas" (ignored when package.json already has one). */
  schemas: string[];
  /** The app adopts a database that has tables: no schema migration (rb baseline comes next). */
  existingDatabase: boolean;
  now?: Date;
}

export interface InitResult {
  steps: InitStep[];
  /** The schemas the project uses after init. */
  schemas: string[];
  /** The queries folder (pgtyped's srcDir), relative to the project. */
  queriesDir: string;
  changed: boolean;
}

function ensureFolder(config: Config, dir: string, purpose: string, steps: InitStep[]): void {
  const shown = `${relativeToProject(config, dir)}/`;
  if (existsSync(dir)) {
    steps.push({ what: shown, status: 'kept', detail: `${purpose} (already there)` });
    return;
  }
  mkdirSync(dir, { recursive: true });
  // An empty folder is not committed: a .gitkeep keeps it in the repository.
  writeFileSync(path.join(dir, '.gitkeep'), '');
  steps.push({ what: shown, status: 'created', detail: purpose });
}

/** A schema name as SQL: plain when it needs no quotes. */
function identifier(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : quoteIdent(name);
}

/** The first migration of a new app: creates the configured schemas (public exists already). */
export function schemaMigration(schemas: readonly string[]): string {
  const own = schemas.filter((s) => s !== 'public');
  return `-- migrate:up
-- The app's tables live in ${own.length > 1 ? 'these schemas' : 'this schema'} (package.json "rb": {"schemas": ${JSON.stringify(schemas)}}):
-- rb's shadow database, rb run-script and createClient() use search_path = ${searchPath(schemas)}.
-- dbmate's tracking table stays in public.
${own.map((s) => `create schema ${identifier(s)};`).join('\n')}

-- migrate:down
${[...own].reverse().map((s) => `drop schema ${identifier(s)};`).join('\n')}
`;
}

function ensureMigrations(config: Config, schemas: string[], options: InitOptions, steps: InitStep[]): void {
  const dir = config.migrationsDir;
  const shown = `${relativeToProject(config, dir)}/`;
  const existing = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.sql')) : [];
  if (existing.length > 0) {
    steps.push({ what: shown, status: 'kept', detail: `${existing.length} migration(s) already there` });
    return;
  }
  const own = schemas.filter((s) => s !== 'public');
  if (options.existingDatabase || own.length === 0) {
    ensureFolder(config, dir, options.existingDatabase ? 'migrations (rb baseline writes the first one from your database)' : 'migrations', steps);
    return;
  }
  mkdirSync(dir, { recursive: true });
  const fileName = `${utcVersion(options.now ?? new Date())}_${migrationSlug(['create schema', ...own])}.sql`;
  writeFileSync(path.join(dir, fileName), schemaMigration(schemas), { flag: 'wx' });
  steps.push({ what: `${shown}${fileName}`, status: 'created', detail: `first migration: creates the schema ${own.join(', ')}` });
}

/** pgtyped.config.json (pgtyped's own format); its srcDir is the queries folder. Returns srcDir's absolute path. */
function ensurePgtypedConfig(config: Config, steps: InitStep[]): string {
  const file = path.join(config.projectDir, PGTYPED_CONFIG_FILE);
  if (existsSync(file)) {
    let srcDir: unknown;
    try {
      srcDir = (JSON.parse(readFileSync(file, 'utf8')) as { srcDir?: unknown }).srcDir;
    } catch (error) {
      throw new UsageError(`${PGTYPED_CONFIG_FILE}: not valid JSON (${(error as Error).message}); fix the file and run rb init again`);
    }
    if (typeof srcDir !== 'string' || !srcDir) {
      throw new UsageError(`${PGTYPED_CONFIG_FILE}: "srcDir" must name the folder of your query files, e.g. "./src/queries/"; fix it and run rb init again`);
    }
    steps.push({ what: PGTYPED_CONFIG_FILE, status: 'kept', detail: `queries in ${srcDir}` });
    return path.resolve(config.projectDir, srcDir);
  }
  // An app with src/ gets its queries there, where its tsconfig already compiles them.
  const srcDir = existsSync(path.join(config.projectDir, 'src')) ? './src/queries/' : './queries/';
  const settings = {
    transforms: [{ mode: 'sql', include: '**/*.sql', emitTemplate: '{{dir}}/{{name}}.queries.ts' }],
    srcDir,
  };
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`, { flag: 'wx' });
  steps.push({ what: PGTYPED_CONFIG_FILE, status: 'created', detail: `queries in ${srcDir}` });
  return path.resolve(config.projectDir, srcDir);
}

const IGNORED = (entry: string) => new Set([entry, entry.replace(/\/$/, ''), `/${entry}`, `/${entry.replace(/\/$/, '')}`]);

function ensureGitignore(config: Config, steps: InitStep[]): void {
  const file = path.join(config.projectDir, '.gitignore');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const missing = GITIGNORE_ENTRIES.filter((entry) => ![...IGNORED(entry)].some((form) => lines.has(form)) && !(entry === '.env' && lines.has('.env*')));
  if (missing.length === 0) {
    steps.push({ what: '.gitignore', status: 'kept', detail: `already ignores ${GITIGNORE_ENTRIES.join(' and ')}` });
    return;
  }
  const block = `${text && !text.endsWith('\n') ? '\n' : ''}${text ? '\n' : ''}# rb: the local PostgreSQL's data, dumps and caches; secrets\n${missing.join('\n')}\n`;
  writeFileSync(file, text + block);
  steps.push({ what: '.gitignore', status: text ? 'updated' : 'created', detail: `ignores ${missing.join(' and ')}` });
}

/** Adds "rb" (schemas) and the npm scripts to package.json; keeps whatever is there. */
function ensurePackageJson(config: Config, options: InitOptions, steps: InitStep[]): string[] {
  const pkg = readPackageJson(config.projectDir);
  const data = pkg.data;
  let changed = false;
  const rb = data['rb'];
  let schemas: string[];
  if (typeof rb === 'object' && rb !== null && Array.isArray((rb as { schemas?: unknown }).schemas)) {
    schemas = config.schemas;
    steps.push({ what: 'package.json rb.schemas', status: 'kept', detail: JSON.stringify(schemas) });
  } else {
    schemas = options.schemas;
    data['rb'] = { schemas, ...(typeof rb === 'object' && rb !== null ? rb : {}) };
    changed = true;
    steps.push({ what: 'package.json rb.schemas', status: 'created', detail: JSON.stringify(schemas) });
  }
  const scripts = (typeof data['scripts'] === 'object' && data['scripts'] !== null ? data['scripts'] : {}) as Record<string, unknown>;
  const added: string[] = [];
  const kept: string[] = [];
  for (const [name, command] of Object.entries(NPM_SCRIPTS)) {
    if (name in scripts) {
      if (scripts[name] !== command) kept.push(`${name} (runs "${String(scripts[name])}")`);
      continue;
    }
    scripts[name] = command;
    added.push(name);
  }
  if (added.length) {
    data['scripts'] = scripts;
    changed = true;
    steps.push({ what: 'package.json scripts', status: 'updated', detail: `added ${added.join(', ')}` });
  } else {
    steps.push({ what: 'package.json scripts', status: 'kept', detail: 'the db:* scripts are there' });
  }
  if (kept.length) steps.push({ what: 'package.json scripts', status: 'kept', detail: `left as they are: ${kept.join(', ')}` });
  if (changed) writePackageJson(pkg);
  return schemas;
}

export function initProject(config: Config, options: InitOptions): InitResult {
  const steps: InitStep[] = [];
  const schemas = ensurePackageJson(config, options, steps);
  ensureMigrations(config, schemas, options, steps);
  const srcDir = ensurePgtypedConfig(config, steps);
  ensureFolder(config, srcDir, 'annotated queries (*.sql); rb types writes *.queries.ts beside them', steps);
  ensureFolder(config, config.backfillDir, 'backfill scripts (rb run-script)', steps);
  ensureGitignore(config, steps);
  return { steps, schemas, queriesDir: relativeToProject(config, srcDir), changed: steps.some((s) => s.status !== 'kept') };
}
