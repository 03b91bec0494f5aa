import path from 'node:path';
import { runCheck, type CheckResult } from '../check/run-check.ts';
import { CHECK_STAGES, formatFinding, type CheckStage } from '../check/finding.ts';
import { InterruptedError, RbError, UsageError } from '../errors.ts';
import { interruptible, stopSignalOf } from '../interrupt.ts';
import type { Io } from '../io.ts';
import { configAndTarget, type TargetFlags } from './common.ts';

export interface CheckFlags extends TargetFlags {
  json?: boolean;
  skip?: string | string[];
}

/** rb check failed: the findings are already printed; main prints this one line and exits 1. */
export class CheckFailedError extends RbError {}

export function parseSkip(value: string | string[] | undefined): CheckStage[] {
  if (value === undefined) return [];
  const names = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);
  const known = new Set<string>(CHECK_STAGES);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) {
    throw new UsageError(`--skip ${unknown.join(',')}: unknown stage; use a comma-separated list of ${CHECK_STAGES.join(', ')}`);
  }
  return names as CheckStage[];
}

function stageSummary(result: CheckResult): string {
  return CHECK_STAGES.map((stage) => {
    const o = result.stages[stage];
    if (o.status === 'passed') return stage === 'round-trip' ? `${stage} ok (${result.roundTripChecked} down(s) checked)` : `${stage} ok`;
    if (o.status === 'failed' && stage === 'round-trip') {
      const first = result.findings.find((f) => f.stage === 'round-trip')?.file ?? '';
      return `${stage} ${o.findings} problem(s) (first: ${path.basename(first)})`;
    }
    if (o.status === 'failed') return `${stage} ${o.findings} problem(s)`;
    return `${stage} skipped (${o.reason})`;
  }).join(', ');
}

export async function checkCommand(flags: CheckFlags, io: Io): Promise<void> {
  if (flags.prod) throw new UsageError('rb check never touches production: it works on a scratch database; drop --prod');
  const skip = parseSkip(flags.skip);
  const { config, target } = await configAndTarget(flags, io);
  // Ctrl-C / SIGTERM: the running step's child ends, the scratch database is dropped (runCheck's finally).
  const result: CheckResult = await interruptible(async ({ signal }) => {
    try {
      return await runCheck(config, { serverUrl: target.url, skip, signal });
    } catch (error) {
      // The step whose dbmate the signal ended fails first; report the interruption, not that.
      if (!signal.aborted) throw error;
      const stop = stopSignalOf(signal);
      throw new InterruptedError(`rb check stopped by ${stop}; its scratch database was dropped, nothing else was changed`, stop);
    }
  });
  if (flags.json) {
    io.out(JSON.stringify({ ...result, findings: result.findings.map((f) => ({ ...f, text: formatFinding(f) })) }, null, 2));
  } else {
    for (const finding of result.findings) io.out(formatFinding(finding));
    const seconds = (result.durationMs / 1000).toFixed(1);
    const total = result.findings.length ? `${result.findings.length} problem(s)` : 'no problems';
    io.out(`rb check: ${result.migrations} migration(s); ${stageSummary(result)}; ${total} (${seconds} s)`);
  }
  if (!result.ok) throw new CheckFailedError(`check failed: ${result.findings.length} problem(s); see the lines above`);
}
