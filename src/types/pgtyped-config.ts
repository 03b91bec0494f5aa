import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { rbTypesOverrides, type PgtypedOverride } from '@rbsql/runtime/type-choices';

/** The committed pgtyped configuration rb reads (pgtyped's own format, so `pgtyped -c` reads it too). */
export const PGTYPED_CONFIG_FILE = 'pgtyped.config.json';

export interface SqlTransform {
  include: string;
  emitTemplate?: string;
}

export interface TypesSettings {
  configFile: string;
  /** Absolute directory the transforms search. */
  srcDir: string;
  transforms: SqlTransform[];
  camelCaseColumnNames: boolean;
  hungarianNotation: boolean;
  nonEmptyArrayParams: boolean;
  /** rb's overrides with the config's own on top (the config wins). */
  typesOverrides: Record<string, PgtypedOverride>;
  /** Settings rb does not use, for a note: dbUrl/db (rb supplies the connection), non-sql transforms. */
  ignored: string[];
  /** Canonical text of everything that shapes the output (part of the cache key). */
  fingerprint: string;
}

const KNOWN_KEYS = new Set([
  'transforms', 'srcDir', 'failOnError', 'camelCaseColumnNames', 'hungarianNotation', 'nonEmptyArrayParams',
  'dbUrl', 'db', 'typesOverrides', 'maxWorkerThreads',
]);

export const EXAMPLE_CONFIG = '{"transforms":[{"mode":"sql","include":"**/*.sql","emitTemplate":"{{dir}}/{{name}}.queries.ts"}],"srcDir":"./queries/"}';

function optionalBoolean(value: unknown, name: string, fallback: boolean, problems: string[]): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') problems.push(`"${name}" must be true or false`);
  return value === true;
}

/**
 * Reads pgtyped.config.json from the project. Problems are reported together, naming the file.
 * `nonEmptyArrayParams` defaults to true under rb: an empty spread would send `IN ()`.
 */
export function loadTypesSettings(projectDir: string, configFile = path.join(projectDir, PGTYPED_CONFIG_FILE)): TypesSettings {
  const relative = path.relative(projectDir, configFile) || configFile;
  if (!existsSync(configFile)) {
    throw new UsageError(`${relative} not found: rb types needs the committed pgtyped configuration; create it, e.g. ${EXAMPLE_CONFIG}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`${relative}: not valid JSON (${(error as Error).message}); fix the file`);
  }
  const problems: string[] = [];
  const ignored: string[] = [];
  for (const key of Object.keys(raw)) if (!KNOWN_KEYS.has(key)) problems.push(`unknown key "${key}"`);
  if (raw.dbUrl !== undefined || raw.db !== undefined) ignored.push('dbUrl/db (rb connects pgtyped to its shadow database)');
  if (typeof raw.srcDir !== 'string' || !raw.srcDir) problems.push('"srcDir" must name the directory holding the query files, e.g. "./queries/"');
  const transforms: SqlTransform[] = [];
  if (!Array.isArray(raw.transforms)) {
    problems.push('"transforms" must be a list such as [{"mode":"sql","include":"**/*.sql","emitTemplate":"{{dir}}/{{name}}.queries.ts"}]');
  } else {
    for (const [i, t] of (raw.transforms as Record<string, unknown>[]).entries()) {
      if (t?.mode !== 'sql') {
        ignored.push(`transforms[${i}] (mode "${String(t?.mode)}": rb generates from .sql files only)`);
        continue;
      }
      if (typeof t.include !== 'string' || /[{}]/.test(t.include)) {
        problems.push(`transforms[${i}].include must be a glob such as "**/*.sql" (braces are not supported)`);
        continue;
      }
      const emit = t.emitTemplate ?? t.emitFileName;
      if (emit !== undefined && typeof emit !== 'string') problems.push(`transforms[${i}].emitTemplate must be a string`);
      transforms.push({ include: t.include, emitTemplate: emit as string | undefined });
    }
    if (transforms.length === 0 && problems.length === 0) problems.push('no transform with "mode": "sql"');
  }
  const overrides = raw.typesOverrides ?? {};
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    problems.push('"typesOverrides" must be an object such as {"date": "string"}');
  } else {
    for (const [name, value] of Object.entries(overrides)) {
      const ok = typeof value === 'string' || (typeof value === 'object' && value !== null &&
        Object.entries(value).every(([k, v]) => (k === 'parameter' || k === 'return') && (v === undefined || typeof v === 'string')));
      if (!ok) problems.push(`typesOverrides.${name} must be a type name or {"parameter": ..., "return": ...}`);
    }
  }
  const settings = {
    camelCaseColumnNames: optionalBoolean(raw.camelCaseColumnNames, 'camelCaseColumnNames', false, problems),
    hungarianNotation: optionalBoolean(raw.hungarianNotation, 'hungarianNotation', true, problems),
    nonEmptyArrayParams: optionalBoolean(raw.nonEmptyArrayParams, 'nonEmptyArrayParams', true, problems),
  };
  if (problems.length) throw new UsageError(`${relative}: ${problems.join('; ')}`);
  const typesOverrides = { ...rbTypesOverrides, ...(overrides as Record<string, PgtypedOverride>) };
  const srcDir = path.resolve(path.dirname(configFile), raw.srcDir as string);
  return {
    configFile,
    srcDir,
    transforms,
    ...settings,
    typesOverrides,
    ignored,
    fingerprint: JSON.stringify({ srcDir: path.relative(projectDir, srcDir), transforms, settings, typesOverrides }),
  };
}

/** A glob such as `**\/*.sql` as a regular expression over '/'-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export interface QueryFile {
  /** Absolute path of the .sql file. */
  path: string;
  /** Path relative to the project (pgtyped's fileName, written into the generated header). */
  relative: string;
  /** Absolute path of the generated file. */
  outputPath: string;
  transform: SqlTransform;
}

function walk(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile()) out.push(full);
  }
}

/** pgtyped's emitTemplate variables: path.parse(fileName) plus dir_base. */
export function renderEmitTemplate(template: string, relativeFile: string): string {
  const parsed = path.parse(relativeFile);
  const vars: Record<string, string> = { ...parsed, dir_base: path.basename(parsed.dir) };
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => {
    if (!(key in vars)) throw new UsageError(`emitTemplate "${template}" uses {{${key}}}; known: ${Object.keys(vars).join(', ')}`);
    return vars[key];
  });
}

/** The query files the sql transforms select, in a stable order (first matching transform wins). */
export function listQueryFiles(projectDir: string, settings: TypesSettings): QueryFile[] {
  const all: string[] = [];
  walk(settings.srcDir, all);
  const files: QueryFile[] = [];
  const taken = new Set<string>();
  for (const transform of settings.transforms) {
    const pattern = globToRegExp(`**/${transform.include}`);
    for (const file of all.sort()) {
      const inSrc = path.relative(settings.srcDir, file).split(path.sep).join('/');
      if (taken.has(file) || !pattern.test(inSrc)) continue;
      taken.add(file);
      const relative = path.relative(projectDir, file);
      const emitted = transform.emitTemplate
        ? renderEmitTemplate(transform.emitTemplate, relative)
        : path.join(path.dirname(relative), `${path.parse(relative).name}.ts`);
      files.push({ path: file, relative, outputPath: path.resolve(projectDir, emitted), transform });
    }
  }
  return files;
}

const GENERATED_HEADER = /^\/\*\* Types generated for queries found in "([^"]+)" \*\//;

/**
 * Generated files under srcDir whose query file is no longer among `sources` (renamed or
 * deleted .sql): pgtyped leaves them behind; rb removes them (or --check reports them).
 */
export function findOrphans(projectDir: string, settings: TypesSettings, sources: readonly QueryFile[]): { source: string; output: string }[] {
  const all: string[] = [];
  walk(settings.srcDir, all);
  const known = new Set(sources.map((f) => f.relative));
  const outputs = new Set(sources.map((f) => f.outputPath));
  const orphans: { source: string; output: string }[] = [];
  for (const file of all.sort()) {
    if (!file.endsWith('.ts') || outputs.has(file)) continue;
    const match = GENERATED_HEADER.exec(readFileSync(file, 'utf8').slice(0, 1000));
    if (match && !known.has(match[1])) orphans.push({ source: match[1], output: path.relative(projectDir, file) });
  }
  return orphans;
}

