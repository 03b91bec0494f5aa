import { describeDroppedLeftover } from '../check/scratch-database.ts';
import type { Config } from '../config.ts';
import { runDrift, type DriftResult } from '../drift/run-drift.ts';
import { InterruptedError, RbError } from '../errors.ts';
import { interruptible, stopSignalOf } from '../interrupt.ts';
import type { Io } from '../io.ts';
import type { Target } from '../target/resolve-target.ts';
import { configAndTarget, targetJson, targetLabel, type TargetFlags } from './common.ts';

export interface DriftFlags extends TargetFlags {
  json?: boolean;
}

/** Drift was found: the differences are already printed; main prints this one line and exits 1. */
export class DriftFoundError extends RbError {}

/** Runs rb drift on the target; Ctrl-C drops the scratch database and says nothing was changed. */
function drift(config: Config, target: Target, io: Io): Promise<DriftResult> {
  return interruptible(async ({ signal }) => {
    try {
      return await runDrift(config, target, {
        warn: io.err,
        onLeftoverDropped: (leftover) => io.err(`rb drift: ${describeDroppedLeftover(leftover)}`),
      });
    } catch (error) {
      if (!signal.aborted) throw error;
      const stop = stopSignalOf(signal);
      throw new InterruptedError(`rb drift stopped by ${stop}; its scratch database was dropped, nothing was changed`, stop);
    }
  });
}

function notes(result: DriftResult, io: Io): void {
  if (result.applied === 0) io.err(`note: ${result.label} has no applied migrations (no rows in public.schema_migrations): everything in it counts as drift`);
  for (const file of result.edited) {
    io.err(`note: ${file} was edited after it was applied to ${result.label}; the expected schema uses the file as it is now`);
  }
  if (result.notCompared.length) {
    io.err(`note: not compared: schema(s) ${result.notCompared.join(', ')} (no migration creates them; list them in "rb": {"schemas": [...]} in package.json to compare them)`);
  }
}

function found(result: DriftResult, json = false): DriftFoundError {
  return new DriftFoundError(
    `drift: ${result.differences.length} difference(s) between ${result.label} and what its applied migrations create; see ${json ? 'the JSON output' : 'the lines above'}`,
  );
}

/** rb drift [--database-url URL | --prod] [--json]: exit 0 without drift, 1 with. */
export async function driftCommand(flags: DriftFlags, io: Io): Promise<void> {
  const { config, target } = await configAndTarget(flags, io);
  const result = await drift(config, target, io);
  if (flags.json) {
    io.out(JSON.stringify({ ...result, target: targetJson(target) }, null, 2));
  } else {
    notes(result, io);
    for (const difference of result.differences) io.out(difference.text);
    const seconds = (result.durationMs / 1000).toFixed(1);
    io.out(
      result.ok
        ? `rb drift: ${targetLabel(target)}: no drift; its schema is what its ${result.applied} applied migration(s) create (${seconds} s)`
        : `rb drift: ${targetLabel(target)}: ${result.differences.length} difference(s) from what its ${result.applied} applied migration(s) create (${seconds} s)`,
    );
  }
  if (!result.ok) throw found(result, flags.json);
}

/** `rb status --drift --json`: the drift result for the status object; the caller prints it, then throws `foundDrift` on drift. */
export async function driftForJson(config: Config, target: Target, io: Io): Promise<{ result: DriftResult; failure?: DriftFoundError }> {
  const result = await drift(config, target, io);
  return result.ok ? { result } : { result, failure: found(result, true) };
}

/** `rb status --drift`: the drift lines under the status; exit 1 on drift, as rb drift. */
export async function printDriftForStatus(config: Config, target: Target, io: Io): Promise<void> {
  const result = await drift(config, target, io);
  notes(result, io);
  if (result.ok) {
    io.out(`drift: none; the schema is what the ${result.applied} applied migration(s) create`);
    return;
  }
  io.out(`drift: ${result.differences.length} difference(s) from what the applied migrations create:`);
  for (const difference of result.differences) io.out(`  ${difference.text}`);
  throw found(result);
}
