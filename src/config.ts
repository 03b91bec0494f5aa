import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors.ts';

/** Everything a command needs to know about the project and its environment, read once. */
export interface Config {
  projectDir: string;
  migrationsDir: string;
  schemaFile: string;
  queriesDir: string;
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
}

/** Settings a project may put under the "rb" key of its package.json. */
interface PackageSettings {
  schemas?: string[];
  localPort?: number;
  localDatabase?: string;
  check?: CheckSettings;
}

const KNOWN_PACKAGE_KEYS = new Set(['schemas', 'localPort', 'localDatabase', 'check']);
export const DEFAULT_LOCAL_PORT = 54329;

/** Parses a dotenv file: KEY=VALUE lines, optional `export `, quotes, # comments. */
export function parseDotenv(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2];
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    values[match[1]] = value;
  }
  return values;
}

function readPackageSettings(projectDir: string): PackageSettings {
  const file = path.join(projectDir, 'package.json');
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON (${(error as Error).message}); fix the file`);
  }
  const settings = (parsed as { rb?: unknown }).rb;
  if (settings === undefined) return {};
  const problems: string[] = [];
  if (typeof settings !== 'object' || settings === null) {
    throw new UsageError(`${file}: "rb" must be an object such as {"schemas": ["app"]}`);
  }
  for (const key of Object.keys(settings)) {
    if (!KNOWN_PACKAGE_KEYS.has(key)) problems.push(`unknown key "rb.${key}" (known: ${[...KNOWN_PACKAGE_KEYS].join(', ')})`);
  }
  const s = settings as PackageSettings;
  if (s.schemas !== undefined && (!Array.isArray(s.schemas) || s.schemas.some((x) => typeof x !== 'string' || !x))) {
    problems.push('"rb.schemas" must be a list of schema names');
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
  if (problems.length) throw new UsageError(`${file}: ${problems.join('; ')}`);
  return s;
}

function parsePort(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port >= 65536) {
    throw new UsageError(`${name}=${value} is not a port number; set it to a number from 1 to 65535`);
  }
  return port;
}

/**
 * Builds the Config from the environment, the project's .env and package.json.
 * The process environment wins over .env, as with dbmate.
 */
export function loadConfig(projectDir: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): Config {
  const dotenvFile = path.join(projectDir, '.env');
  const dotenv = existsSync(dotenvFile) ? parseDotenv(readFileSync(dotenvFile, 'utf8')) : {};
  const lookup = (name: string): string | undefined => {
    const value = env[name] ?? dotenv[name];
    return value === '' ? undefined : value;
  };
  const settings = readPackageSettings(projectDir);
  const stateDir = path.join(projectDir, '.rb');
  return {
    projectDir,
    migrationsDir: path.join(projectDir, 'db', 'migrations'),
    schemaFile: path.join(projectDir, 'db', 'schema.sql'),
    queriesDir: path.join(projectDir, 'queries'),
    stateDir,
    schemas: settings.schemas ?? ['app'],
    databaseUrl: lookup('DATABASE_URL'),
    prodDatabaseUrl: lookup('PROD_DATABASE_URL'),
    check: settings.check ?? {},
    local: {
      port: parsePort(lookup('RB_LOCAL_PORT'), 'RB_LOCAL_PORT') ?? settings.localPort ?? DEFAULT_LOCAL_PORT,
      database: lookup('RB_LOCAL_DATABASE') ?? settings.localDatabase ?? 'development',
      dataDir: lookup('RB_LOCAL_DATA_DIR') ?? path.join(stateDir, 'postgres'),
    },
  };
}

/** A path as people see it in messages: relative to the project, e.g. db/migrations/x.sql. */
export function relativeToProject(config: Pick<Config, 'projectDir'>, file: string): string {
  return path.relative(config.projectDir, file) || file;
}
