import type { Config } from '../config.ts';
import { RbError } from '../errors.ts';
import { describeFailure, failureError, runMigrations } from '../migrations/run-migrations.ts';
import { CHECK_STAGES, type CheckStage, type Finding } from './finding.ts';
import { checkSchemaFileCurrent } from './generated-current.ts';
import { checkQueriesCurrent } from './queries-current.ts';
import { lintMigrations, DEFAULT_SQUAWK_EXCLUDED_RULES } from './lint.ts';
import { checkRoundTrip } from './round-trip.ts';
import { createScratchDatabase } from './scratch-database.ts';
import { checkWellFormed } from './well-formed.ts';

export interface CheckOptions {
  /** The target database's URL: the scratch database is created on the same server. */
  serverUrl: string;
  /** Stages to leave out. */
  skip?: CheckStage[];
  /** Aborting stops the round trip before its next migration; the scratch database is dropped. */
  signal?: AbortSignal;
}

export type StageOutcome = { status: 'passed' } | { status: 'failed'; findings: number } | { status: 'skipped'; reason: string };

export interface CheckResult {
  ok: boolean;
  migrations: number;
  findings: Finding[];
  stages: Record<CheckStage, StageOutcome>;
  /** Migrations whose down the round trip checked (irreversible and empty downs are not). */
  roundTripChecked: number;
  durationMs: number;
}

function outcome(findings: Finding[]): StageOutcome {
  return findings.length ? { status: 'failed', findings: findings.length } : { status: 'passed' };
}

/** rb check: well-formed files, a round trip of every migration, squawk, db/schema.sql current. */
export async function runCheck(config: Config, options: CheckOptions): Promise<CheckResult> {
  const started = performance.now();
  const skip = new Set(options.skip ?? []);
  const stages = {} as Record<CheckStage, StageOutcome>;
  for (const stage of CHECK_STAGES) stages[stage] = { status: 'skipped', reason: 'left out with --skip' };
  const findings: Finding[] = [];

  const wellFormed = checkWellFormed(config.migrationsDir, config.projectDir);
  if (!skip.has('well-formed')) {
    findings.push(...wellFormed.findings);
    stages['well-formed'] = outcome(wellFormed.findings);
  }
  const { migrations } = wellFormed;
  let roundTripChecked = 0;

  if (!skip.has('lint')) {
    const lint = await lintMigrations(migrations, { excludedRules: config.check.squawkExcludedRules ?? DEFAULT_SQUAWK_EXCLUDED_RULES });
    findings.push(...lint);
    stages.lint = outcome(lint);
  }

  const needDatabase = !skip.has('round-trip') || !skip.has('generated');
  if (needDatabase && !wellFormed.runnable) {
    const reason = 'a migration file is malformed (see well-formed); fix it first';
    if (!skip.has('round-trip')) stages['round-trip'] = { status: 'skipped', reason };
    if (!skip.has('generated')) stages.generated = { status: 'skipped', reason };
  } else if (needDatabase) {
    const scratch = await createScratchDatabase(options.serverUrl);
    const migrateAll = async (fresh: boolean): Promise<boolean> => {
      if (fresh) await scratch.recreate();
      const run = await runMigrations(scratch.url, migrations.map((m) => m.file), 'migrate', { replayToLocate: true });
      if (run.stopped) throw new RbError(`dbmate was stopped by ${run.stopped.signal}`);
      if (run.failure?.connectionLost) throw failureError(run.failure, `rb check lost the connection to its scratch database: ${describeFailure(run.failure, (p) => p)}`);
      return !run.failure;
    };
    try {
      let allApplied: boolean;
      if (!skip.has('round-trip')) {
        const roundTrip = await checkRoundTrip(migrations, scratch, options.signal);
        findings.push(...roundTrip.findings);
        stages['round-trip'] = outcome(roundTrip.findings);
        roundTripChecked = roundTrip.checked;
        allApplied = roundTrip.allApplied;
        // db/schema.sql must be compared with a clean migration, not with what broken downs left.
        if (allApplied && roundTrip.drifted && !skip.has('generated')) allApplied = await migrateAll(true);
      } else {
        allApplied = await migrateAll(false);
      }
      if (!skip.has('generated')) {
        if (allApplied) {
          const generated = await checkSchemaFileCurrent(config, scratch.url);
          generated.push(...(await checkQueriesCurrent(config, options.serverUrl)).findings);
          findings.push(...generated);
          stages.generated = outcome(generated);
        } else {
          stages.generated = { status: 'skipped', reason: 'the migrations do not all apply on an empty database' };
        }
      }
    } finally {
      await scratch.drop();
    }
  }
  // Stable sort: stage order, then the order each stage reported in.
  findings.sort((a, b) => CHECK_STAGES.indexOf(a.stage) - CHECK_STAGES.indexOf(b.stage));
  return {
    ok: findings.length === 0,
    migrations: migrations.length,
    findings,
    stages,
    roundTripChecked,
    durationMs: Math.round(performance.now() - started),
  };
}
