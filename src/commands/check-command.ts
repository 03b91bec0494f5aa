import path from 'node:path';
import { runCheck, type CheckProgress, type CheckResult } from '../check/run-check.ts';
import { describeDroppedLeftover } from '../check/scratch-database.ts';
import { CHECK_STAGES, formatFinding, isWarning, type CheckStage } from '../check/finding.ts';
import { InterruptedError, RbError, UsageError } from '../errors.ts';
import { interruptible, stopSignalOf } from '../interrupt.ts';
import type { Io } from '../io.ts';
import { configAndTarget, refuseProductionServer, type TargetFlags } from './common.ts';
import { progressLine } from './progress-line.ts';

export interface CheckFlags extends TargetFlags {
  json?: boolean;
  skip?: string | string[];
  only?: string | string[];
}

/** rb check failed: the findings are already printed; main prints this one line and exits 1. */
export class CheckFailedError extends RbError {}

function stageList(flag: '--skip' | '--only', value: string | string[] | undefined): CheckStage[] {
  if (value === undefined) return [];
  // cac's parser turns an empty value (--only '') into the number 0.
  const names = (Array.isArray(value) ? value : [value]).flatMap((v) => ((v as unknown) === 0 ? '' : String(v)).split(',')).map((v) => v.trim()).filter(Boolean);
  const known = new Set<string>(CHECK_STAGES);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) {
    throw new UsageError(`${flag} ${unknown.join(',')}: unknown stage; use a comma-separated list of ${CHECK_STAGES.join(', ')}`);
  }
  return names as CheckStage[];
}

export function parseSkip(value: string | string[] | undefined): CheckStage[] {
  return stageList('--skip', value);
}

/** The stages to leave out, from --skip or --only (not both). */
export function stagesToSkip(flags: Pick<CheckFlags, 'skip' | 'only'>): CheckStage[] {
  if (flags.only === undefined) return parseSkip(flags.skip);
  if (flags.skip !== undefined) throw new UsageError('--only and --skip together: use one of them');
  const only = stageList('--only', flags.only);
  if (!only.length) throw new UsageError(`--only needs a stage: ${CHECK_STAGES.join(', ')}`);
  return CHECK_STAGES.filter((stage) => !only.includes(stage));
}

function stepsSetting(env: NodeJS.ProcessEnv): 'session' | 'dbmate' {
  const value = env.RB_CHECK_STEPS;
  if (value === undefined || value === '' || value === 'session') return 'session';
  if (value === 'dbmate') return 'dbmate';
  throw new UsageError(`RB_CHECK_STEPS=${value}: use "session" (the default) or "dbmate" (every step a dbmate process, slower)`);
}

function stageSummary(result: CheckResult): string {
  return CHECK_STAGES.map((stage) => {
    const o = result.stages[stage];
    const warnings = o.status !== 'skipped' && o.warnings ? `, ${o.warnings} warning(s)` : '';
    if (o.status === 'passed') {
      if (stage === 'round-trip') return `${stage} ok (${result.roundTripChecked} down(s) checked${warnings})`;
      if (stage === 'impact') return `${stage} ok (${result.impactChecked} up(s) read${warnings})`;
      return `${stage} ok${warnings ? ` (${warnings.slice(2)})` : ''}`;
    }
    if (o.status === 'failed' && (stage === 'round-trip' || stage === 'impact')) {
      const first = result.findings.find((f) => f.stage === stage && !isWarning(f))?.file ?? '';
      return `${stage} ${o.findings} problem(s)${warnings} (first: ${path.basename(first)})`;
    }
    if (o.status === 'failed') return `${stage} ${o.findings} problem(s)${warnings}`;
    return `${stage} skipped (${o.reason})`;
  }).join(', ');
}

function progressText(p: CheckProgress): string {
  if (p.index !== undefined) return `${p.step}: migration ${p.index} of ${p.total} (${p.file})`;
  if (p.step === 'migrate') return `migrating the scratch database (${p.total} migration(s))`;
  return p.step;
}

export async function checkCommand(flags: CheckFlags, io: Io): Promise<void> {
  if (flags.prod) throw new UsageError('rb check never touches production: it works on a scratch database; drop --prod');
  const skip = stagesToSkip(flags);
  const steps = stepsSetting(process.env);
  const { config, target } = await configAndTarget(flags, io);
  await refuseProductionServer(target, 'check', 'create its scratch database');
  const progress = progressLine('rb check: ');
  // Ctrl-C / SIGTERM: the running step's child ends, the scratch database is dropped (runCheck's finally).
  let result: CheckResult;
  try {
    result = await interruptible(async ({ signal }) => {
      const stopped = () => {
        const stop = stopSignalOf(signal);
        return new InterruptedError(`rb check stopped by ${stop}; its scratch database was dropped, nothing else was changed`, stop);
      };
      let checked: CheckResult;
      try {
        checked = await runCheck(config, {
          serverUrl: target.url, skip, leftOutBy: flags.only === undefined ? '--skip' : '--only', signal, steps, onProgress: (p) => progress.update(progressText(p)),
          onLeftoverDropped: (leftover) => progress.note(`rb check: ${describeDroppedLeftover(leftover)}`),
        });
      } catch (error) {
        // The step whose dbmate the signal ended fails first; report the interruption, not that.
        if (!signal.aborted) throw error;
        throw stopped();
      }
      // A step the signal cancelled may have come back as a failed up, ending the check early.
      if (signal.aborted) throw stopped();
      return checked;
    });
  } finally {
    progress.done();
  }
  if (flags.json) {
    io.out(JSON.stringify({ ...result, findings: result.findings.map((f) => ({ ...f, severity: f.severity ?? 'error', text: formatFinding(f) })) }, null, 2));
  } else {
    for (const finding of result.findings) io.out(formatFinding(finding));
    const seconds = (result.durationMs / 1000).toFixed(1);
    const errors = result.findings.filter((f) => !isWarning(f)).length;
    const warnings = result.findings.length - errors;
    const total = `${errors ? `${errors} problem(s)` : 'no problems'}${warnings ? `, ${warnings} warning(s)` : ''}`;
    io.out(`rb check: ${result.migrations} migration(s); ${stageSummary(result)}; ${total} (${seconds} s)`);
  }
  if (!result.ok) {
    const errors = result.findings.filter((f) => !isWarning(f)).length;
    throw new CheckFailedError(`check failed: ${errors} problem(s); see ${flags.json ? 'the findings in the JSON output' : 'the lines above'}`);
  }
}
