import type { Config, RuleLevel } from '../config.ts';
import { CHECK_STAGES, isWarning, type CheckStage, type Finding } from './finding.ts';
import { checkSchemaFileCurrent } from './generated-current.ts';
import { lockName } from '../lock-modes.ts';
import { impactFindings, impactLevels } from './impact-rules.ts';
import { checkQueriesCurrent } from './queries-current.ts';
import { lintMigrations, DEFAULT_SQUAWK_EXCLUDED_RULES } from './lint.ts';
import { migrateAll } from './migration-steps.ts';
import { checkRoundTrip, type MigrationImpactResult } from './round-trip.ts';
import { createScratchDatabase, type DroppedLeftover } from './scratch-database.ts';
import { checkWellFormed } from './well-formed.ts';

/** What rb check is doing now, for a progress line. */
export interface CheckProgress {
  /** "lint", "round-trip and impact", "schema dump"... */
  step: string;
  /** Migration index (1-based) of total, and its file name, while the step goes migration by migration. */
  index?: number;
  total?: number;
  file?: string;
}

export interface CheckOptions {
  /** The target database's URL: the scratch database is created on the same server. */
  serverUrl: string;
  /** Stages to leave out. */
  skip?: CheckStage[];
  /** The option that left them out, as the summary names it (default --skip). */
  leftOutBy?: '--skip' | '--only';
  /** Aborting stops the round trip before its next migration; the scratch database is dropped. */
  signal?: AbortSignal;
  /** How migrations are applied and rolled back on the scratch database (see migration-steps.ts). */
  steps?: 'session' | 'dbmate';
  onProgress?: (progress: CheckProgress) => void;
  /** A scratch database a killed rb left on the server was dropped (the command says so on stderr). */
  onLeftoverDropped?: (leftover: DroppedLeftover) => void;
}

export type StageOutcome =
  | { status: 'passed'; warnings?: number }
  | { status: 'failed'; findings: number; warnings?: number }
  | { status: 'skipped'; reason: string };

/** Per migration whose up the impact stage read: the strongest lock on each table that existed before it. */
export interface ImpactSummary {
  file: string;
  locks?: { relation: string; mode: string; blocks: string; line: number }[];
  /** Why its up was not read (transaction:false...). */
  skipped?: string;
}

export interface CheckResult {
  /** No errors (warnings do not count). */
  ok: boolean;
  migrations: number;
  findings: Finding[];
  stages: Record<CheckStage, StageOutcome>;
  /** Migrations whose down the round trip checked (irreversible and empty downs are not). */
  roundTripChecked: number;
  /** Migrations whose up the impact stage read. */
  impactChecked: number;
  impact: ImpactSummary[];
  durationMs: number;
}

function outcome(findings: Finding[]): StageOutcome {
  const warnings = findings.filter(isWarning).length;
  const errors = findings.length - warnings;
  const extra = warnings ? { warnings } : {};
  return errors ? { status: 'failed', findings: errors, ...extra } : { status: 'passed', ...extra };
}

/** Applies "rb.check.columnOrder" to the round trip's column-order findings. */
function withColumnOrderLevel(findings: Finding[], level: RuleLevel): Finding[] {
  return findings.flatMap((f) => {
    if (f.rule !== 'column-order') return [f];
    if (level === 'off') return [];
    return [level === 'warning' ? { ...f, severity: 'warning' as const } : f];
  });
}

function summarize(results: MigrationImpactResult[]): ImpactSummary[] {
  return results.flatMap(({ migration, impact, skipped }): ImpactSummary[] => {
    if (skipped) return [{ file: migration.relativePath, skipped }];
    if (!impact?.locks.length) return [];
    const locks = impact.locks.map((l) => ({ relation: l.relation, mode: lockName(l.mode), blocks: l.blocks, line: l.line }));
    return [{ file: migration.relativePath, locks }];
  });
}

/** rb check: well-formed files, a round trip and an impact reading of every migration, squawk, generated files current. */
export async function runCheck(config: Config, options: CheckOptions): Promise<CheckResult> {
  const started = performance.now();
  const skip = new Set(options.skip ?? []);
  const progress = options.onProgress ?? (() => {});
  const levels = impactLevels(config.check.impactRules);
  const stages = {} as Record<CheckStage, StageOutcome>;
  const leftOut = options.leftOutBy === '--only' ? 'not in --only' : 'left out with --skip';
  for (const stage of CHECK_STAGES) stages[stage] = { status: 'skipped', reason: leftOut };
  const findings: Finding[] = [];

  progress({ step: 'well-formed' });
  const wellFormed = checkWellFormed(config.migrationsDir, config.projectDir);
  if (!skip.has('well-formed')) {
    findings.push(...wellFormed.findings);
    stages['well-formed'] = outcome(wellFormed.findings);
  }
  const { migrations } = wellFormed;
  let roundTripChecked = 0;
  let impactResults: MigrationImpactResult[] = [];

  if (!skip.has('lint')) {
    progress({ step: 'lint' });
    const lint = await lintMigrations(migrations, { excludedRules: config.check.squawkExcludedRules ?? DEFAULT_SQUAWK_EXCLUDED_RULES });
    findings.push(...lint);
    stages.lint = outcome(lint);
  }

  const roundTrip = !skip.has('round-trip');
  const impact = !skip.has('impact');
  const needDatabase = roundTrip || impact || !skip.has('generated');
  if (needDatabase && !wellFormed.runnable) {
    const reason = 'a migration file is malformed (see well-formed); fix it first';
    for (const stage of ['round-trip', 'impact', 'generated'] as const) if (!skip.has(stage)) stages[stage] = { status: 'skipped', reason };
  } else if (needDatabase) {
    progress({ step: 'scratch database' });
    const scratch = await createScratchDatabase(options.serverUrl, 'rb check', { onLeftoverDropped: options.onLeftoverDropped });
    const migrateFresh = async (fresh: boolean): Promise<boolean> => {
      if (fresh) await scratch.recreate();
      progress({ step: 'migrate', total: migrations.length });
      return !(await migrateAll(scratch.url, migrations));
    };
    try {
      let allApplied: boolean;
      if (roundTrip || impact) {
        const step = [roundTrip && 'round-trip', impact && 'impact'].filter(Boolean).join(' and ');
        const result = await checkRoundTrip(migrations, scratch, {
          roundTrip, impact, steps: options.steps, signal: options.signal,
          onMigration: (index, migration) => progress({ step, index: index + 1, total: migrations.length, file: migration.file.fileName }),
        });
        allApplied = result.allApplied;
        if (roundTrip) {
          const own = withColumnOrderLevel(result.findings, config.check.columnOrder ?? 'warning');
          findings.push(...own);
          stages['round-trip'] = outcome(own);
          roundTripChecked = result.checked;
        } else {
          // Without the downs, a failing up is still a finding: the impact stage could not read the rest.
          findings.push(...result.findings.map((f) => ({ ...f, stage: 'impact' as const })));
        }
        if (impact) {
          impactResults = result.impacts;
          const own = result.impacts.flatMap((r) => (r.impact ? impactFindings(r.migration.relativePath, r.impact, levels) : []));
          findings.push(...own);
          stages.impact = outcome(roundTrip ? own : [...own, ...result.findings]);
          // The benchmark's baseline (every step a dbmate process) cannot read inside an up.
          if (options.steps === 'dbmate' && own.length === 0 && stages.impact.status === 'passed') {
            stages.impact = { status: 'skipped', reason: 'RB_CHECK_STEPS=dbmate runs every step through dbmate, outside rb\'s transaction' };
          }
        }
        // db/schema.sql must be compared with a clean migration, not with what broken downs left.
        if (allApplied && result.drifted && !skip.has('generated')) allApplied = await migrateFresh(true);
      } else {
        allApplied = await migrateFresh(false);
      }
      if (!skip.has('generated')) {
        if (allApplied) {
          progress({ step: 'schema dump' });
          const generated = await checkSchemaFileCurrent(config, scratch.url);
          progress({ step: 'query types' });
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
    ok: !findings.some((f) => !isWarning(f)),
    migrations: migrations.length,
    findings,
    stages,
    roundTripChecked,
    impactChecked: impactResults.filter((r) => r.impact).length,
    impact: summarize(impactResults),
    durationMs: Math.round(performance.now() - started),
  };
}
