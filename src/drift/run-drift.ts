import { relativeToProject, type Config } from '../config.ts';
import { RefusedError, UsageError } from '../errors.ts';
import { reviewChecksums } from '../migrations/checksums.ts';
import { compareVersions, listMigrations, readMigrations } from '../migrations/migration-directory.ts';
import { describeUrl, parseDatabaseUrl } from '../target/database-url.ts';
import { identifyTarget, resolveTarget, type Target } from '../target/resolve-target.ts';
import { onSameServer } from '../target/server-identity.ts';
import { compareSchemas, type DriftDifference } from './compare-schemas.ts';
import type { DroppedLeftover } from '../check/scratch-database.ts';
import { buildExpectedSchema } from './expected-schema.ts';
import { readTarget } from './read-target.ts';

export interface DriftResult {
  /** No difference. */
  ok: boolean;
  /** How sentences name the database: "production", "the local database", "database staging". */
  label: string;
  /** Migrations applied to the database (the expected schema is built from exactly these files). */
  applied: number;
  /** Applied files edited since (rb's checksum differs): the expected schema uses them as they are now. */
  edited: string[];
  differences: DriftDifference[];
  /** Schemas in the database that no migration creates (and rb.schemas does not list): not compared. */
  notCompared: string[];
  /** Where the scratch database was built: user@host:port/database of the server's URL. */
  scratchServer: string;
  durationMs: number;
}

export interface DriftOptions {
  /** Warnings about the target (production did not answer when asked who it is). */
  warn?: (line: string) => void;
  /** Hears of each scratch database of a killed rb check or rb drift that this run dropped. */
  onLeftoverDropped?: (leftover: DroppedLeftover) => void;
}

/** How sentences name the database rb drift inspects. */
export function driftLabel(target: Target): string {
  if (target.isProduction) return 'production';
  if (target.kind === 'embedded') return 'the local database';
  return `database ${parseDatabaseUrl(target.url).database}`;
}

/**
 * Where the scratch database goes: beside the target (as rb check does), unless the target is
 * production. Reading production must not create anything on production's server: then the local
 * server (DATABASE_URL, else the embedded one), which must be another server.
 */
async function scratchServerFor(config: Config, target: Target, options: DriftOptions): Promise<string> {
  await identifyTarget(target);
  if (!target.isProduction) return target.url;
  const local = await resolveTarget(config, { warn: options.warn });
  if (local.kind === 'embedded') return local.url;
  await identifyTarget(local);
  if (local.isProduction || (await onSameServer(local.url, target.url))) {
    throw new RefusedError(
      `refusing to build the expected schema on production's server: ${local.source} (${describeUrl(local.url)}), where rb drift --prod creates its scratch database, is on it; ` +
        `point ${local.source} at a local or CI server, or unset it to use the embedded server`,
    );
  }
  return local.url;
}

/**
 * rb drift: compares the target's schema with the schema its applied migrations (its
 * schema_migrations rows, from exactly those files) build on a scratch database. The target is
 * only read (src/drift/read-target.ts).
 */
export async function runDrift(config: Config, target: Target, options: DriftOptions = {}): Promise<DriftResult> {
  const started = performance.now();
  const scratchServer = await scratchServerFor(config, target, options);
  const label = driftLabel(target);
  const reading = await readTarget(target.url);
  const entries = listMigrations(config.migrationsDir);
  const byVersion = new Map(entries.map((e) => [e.version, e]));
  const missing = reading.applied.filter((v) => !byVersion.has(v)).sort(compareVersions);
  if (missing.length) {
    throw new UsageError(
      `${label} has applied ${missing.length} migration(s) that ${relativeToProject(config, config.migrationsDir)} does not have: ${missing.join(', ')}; ` +
        'rb drift builds the expected schema from the applied files and does not guess what those created: update your checkout (git pull) and run it again',
    );
  }
  const appliedEntries = reading.applied.map((v) => byVersion.get(v)!).sort((a, b) => compareVersions(a.version, b.version));
  const edited = reviewChecksums(appliedEntries, new Set(reading.applied), reading.records).edited.map((e) => e.fileName);
  const files = readMigrations(config.migrationsDir, appliedEntries, config.projectDir);
  const expected = await buildExpectedSchema(scratchServer, files, {
    searchPath: reading.searchPath,
    show: (filePath) => relativeToProject(config, filePath),
    onLeftoverDropped: options.onLeftoverDropped,
  });
  const comparison = compareSchemas(expected.snapshot, reading.snapshot, {
    label,
    schemas: config.schemas,
    roles: { expected: expected.migrationRole, actual: reading.migrationRole },
  });
  return {
    ok: comparison.differences.length === 0,
    label,
    applied: files.length,
    edited,
    differences: comparison.differences,
    notCompared: comparison.notCompared,
    scratchServer: describeUrl(scratchServer),
    durationMs: Math.round(performance.now() - started),
  };
}
