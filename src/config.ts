import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_LAYOUT, DEFAULT_SCHEMAS, findProjectRoot, localServerRecordFile, readDotenv, STATE_DIR_NAME } from '@rbsql/runtime/project';
import { UsageError } from './errors.ts';
import { parseJsonText } from './json-file.ts';


/**
 * Everything a command needs to know about the project and its environment, read once. The
 * queries folder is not here: it is pgtyped's `srcDir` (src/types/pgtyped-config.ts).
 */
export interface Config {
  /** The project root (findProjectRoot: walked up from the working directory). */
  projectDir: string;
  migrationsDir: string;
  schemaFile: string;
  backfillDir: string;
  /** Local state (embedded server, dumps, caches); git-ignored. */
  stateDir: string;
  /** Application schemas the migrations create; first one leads the search_path. */
  schemas: string[];
  /** DATABASE_URL from the environment or .env, if any. */
  databaseUrl?: string;
  /** PROD_DATABASE_URL from the environment or .env, if any. */
  prodDatabaseUrl?: string;
  local: LocalServerSettings;
  /** "rb": {"check": {...}} settings for rb check. */
  check: CheckSettings;
}

export interface CheckSettings {
  /** squawk rules rb check turns off (replaces rb's default list when given). */
  squawkExcludedRules?: string[];
  /** How a round trip that only changes the order of a table's columns is reported (default "warning"). */
  columnOrder?: RuleLevel;
  /** Levels of impact rules by name, e.g. {"blocking-lock": "error"} (the others keep rb's defaults). */
  impactRules?: Record<string, RuleLevel>;
}

/** How a configurable rb check rule reports: fail the check, print a warning, or stay silent. */
export type RuleLevel = 'error' | 'warning' | 'off';
const RULE_LEVELS = ['error', 'warning', 'off'];
const CHECK_KEYS = ['squawkExcludedRules', 'columnOrder', 'impactRules'];

export interface LocalServerSettings {
  port: number;
  database: string;
  dataDir: string;
  /** Where the running server is recorded for createClient() (.rb/local-server.json); none for test servers. */
  recordFile?: string;
}

/** Settings a project may put under the "rb" key of its package.json. */
interface PackageSettings {
  schemas?: string[];
  migrationsDir?: string;
  schemaFile?: string;
  backfillDir?: string;
  localPort?: number;
  localDatabase?: string;
  check?: CheckSettings;
}

const KNOWN_PACKAGE_KEYS = new Set(['schemas', 'migrationsDir', 'schemaFile', 'backfillDir', 'localPort', 'localDatabase', 'check']);

type LayoutKey = keyof typeof DEFAULT_LAYOUT;

/** dbmate's variables for the same settings: honoured as dbmate does, unless package.json disagrees. */
const DBMATE_VARIABLES: Partial<Record<LayoutKey, string>> = { migrationsDir: 'DBMATE_MIGRATIONS_DIR', schemaFile: 'DBMATE_SCHEMA_FILE' };
export const DEFAULT_LOCAL_PORT = 54329;

function readPackageSettings(projectDir: string): PackageSettings {
  const file = path.join(projectDir, 'package.json');
  if (!existsSync(file)) return {};
  const parsed = parseJsonText(readFileSync(file, 'utf8'), 'package.json', 'fix the file');
  const settings = (parsed as { rb?: unknown }).rb;
  if (settings === undefined) return {};
  const problems: string[] = [];
  if (typeof settings !== 'object' || settings === null) {
    throw new UsageError(`package.json: "rb" must be an object such as {"schemas": ["app"]}`);
  }
  for (const key of Object.keys(settings)) {
    if (!KNOWN_PACKAGE_KEYS.has(key)) problems.push(`unknown key "rb.${key}" (known: ${[...KNOWN_PACKAGE_KEYS].join(', ')})`);
  }
  const s = settings as PackageSettings;
  if (s.schemas !== undefined && (!Array.isArray(s.schemas) || s.schemas.length === 0 || s.schemas.some((x) => typeof x !== 'string' || !x))) {
    problems.push('"rb.schemas" must be a list of schema names');
  }
  for (const key of Object.keys(DEFAULT_LAYOUT) as LayoutKey[]) {
    const value = s[key];
    if (value !== undefined && (typeof value !== 'string' || !value.trim())) {
      problems.push(`"rb.${key}" must be a path relative to the project root, such as "${DEFAULT_LAYOUT[key]}"`);
    }
  }
  if (s.localPort !== undefined && !(Number.isInteger(s.localPort) && s.localPort > 0 && s.localPort < 65536)) {
    problems.push('"rb.localPort" must be a port number');
  }
  if (s.check !== undefined) {
    const check = s.check as Record<string, unknown>;
    if (typeof check !== 'object' || check === null || Array.isArray(check)) problems.push('"rb.check" must be an object such as {"squawkExcludedRules": ["prefer-text-field"]}');
    else {
      for (const key of Object.keys(check)) if (!CHECK_KEYS.includes(key)) problems.push(`unknown key "rb.check.${key}" (known: ${CHECK_KEYS.join(', ')})`);
      const rules = check.squawkExcludedRules;
      if (rules !== undefined && (!Array.isArray(rules) || rules.some((x) => typeof x !== 'string' || !x))) {
        problems.push('"rb.check.squawkExcludedRules" must be a list of squawk rule names such as ["prefer-text-field"]');
      }
      if (check.columnOrder !== undefined && !RULE_LEVELS.includes(check.columnOrder as string)) {
        problems.push(`"rb.check.columnOrder" must be one of ${RULE_LEVELS.map((l) => `"${l}"`).join(', ')}`);
      }
      const impact = check.impactRules as Record<string, unknown> | undefined;
      if (impact !== undefined && (typeof impact !== 'object' || impact === null || Array.isArray(impact) || Object.values(impact).some((l) => !RULE_LEVELS.includes(l as string)))) {
        problems.push(`"rb.check.impactRules" must map rule names to ${RULE_LEVELS.map((l) => `"${l}"`).join(', ')}, e.g. {"blocking-lock": "error"}`);
      }
    }
  }
  if (problems.length) throw new UsageError(`package.json: ${problems.join('; ')}`);
  return s;
}

/**
 * Where one of the project's folders or files is: package.json "rb", else dbmate's variable,
 * else the default. Both set to different places is an error rather than a silent pick.
 */
function layoutPath(projectDir: string, key: LayoutKey, settings: PackageSettings, lookup: (name: string) => string | undefined): string {
  const variable = DBMATE_VARIABLES[key];
  const fromDbmate = variable ? lookup(variable) : undefined;
  const fromPackage = settings[key];
  if (fromPackage !== undefined && fromDbmate !== undefined && path.resolve(projectDir, fromPackage) !== path.resolve(projectDir, fromDbmate)) {
    throw new UsageError(
      `${variable}=${fromDbmate} disagrees with "rb.${key}": "${fromPackage}" in package.json; rb uses package.json: remove ${variable} (from the environment or .env) or make them the same`,
    );
  }
  return path.resolve(projectDir, fromPackage ?? fromDbmate ?? DEFAULT_LAYOUT[key]);
}

function parsePort(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port >= 65536) {
    throw new UsageError(`${name}=${value} is not a port number; set it to a number from 1 to 65535`);
  }
  return port;
}

/** rb works in a Node app: its folder has a package.json (found by walking up from the working directory). */
export function missingPackageJson(projectDir: string): UsageError {
  return new UsageError(
    `no package.json in ${projectDir} or any folder above it; rb works in a Node app's folder: cd into your app, or set one up with npm init -y, npm install --save-dev @rbsql/cli and rb init`,
  );
}

/**
 * Builds the Config from the environment, the project's .env and package.json, for the project
 * found by walking up from the working directory (or the one given). The process environment wins
 * over .env, as with dbmate.
 */
export function loadConfig(projectDir: string = findProjectRoot(process.cwd()), env: NodeJS.ProcessEnv = process.env): Config {
  // Without a project, rb would make db/migrations, .rb/ and a 40 MB PostgreSQL cluster in
  // whatever folder it was run from.
  if (!existsSync(path.join(projectDir, 'package.json')) && !existsSync(path.join(projectDir, DEFAULT_LAYOUT.migrationsDir))) {
    throw missingPackageJson(projectDir);
  }
  const dotenv = readDotenv(projectDir);
  const lookup = (name: string): string | undefined => {
    const value = env[name] ?? dotenv[name];
    return value === '' ? undefined : value;
  };
  const settings = readPackageSettings(projectDir);
  const stateDir = path.join(projectDir, STATE_DIR_NAME);
  return {
    projectDir,
    migrationsDir: layoutPath(projectDir, 'migrationsDir', settings, lookup),
    schemaFile: layoutPath(projectDir, 'schemaFile', settings, lookup),
    backfillDir: layoutPath(projectDir, 'backfillDir', settings, lookup),
    stateDir,
    schemas: settings.schemas ?? [...DEFAULT_SCHEMAS],
    databaseUrl: lookup('DATABASE_URL'),
    prodDatabaseUrl: lookup('PROD_DATABASE_URL'),
    check: settings.check ?? {},
    local: {
      port: parsePort(lookup('RB_LOCAL_PORT'), 'RB_LOCAL_PORT') ?? settings.localPort ?? DEFAULT_LOCAL_PORT,
      database: lookup('RB_LOCAL_DATABASE') ?? settings.localDatabase ?? 'development',
      dataDir: lookup('RB_LOCAL_DATA_DIR') ?? path.join(stateDir, 'postgres'),
      recordFile: localServerRecordFile(projectDir),
    },
  };
}

/**
 * A path as people see it in messages: relative to the project root, e.g. db/migrations/x.sql,
 * wherever in the project rb runs; a path outside the project stays absolute.
 */
export function relativeToProject(config: Pick<Config, 'projectDir'>, file: string): string {
  const relative = path.relative(config.projectDir, file);
  if (!relative) return '.';
  return relative.startsWith(`..${path.sep}`) || relative === '..' || path.isAbsolute(relative) ? path.resolve(file) : relative;
}
