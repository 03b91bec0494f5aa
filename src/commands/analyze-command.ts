import { analyzeUpgrade, failedOnCopy, type AnalyzeResult, type MigrationAnalysis, type TableReport } from '../analyze/analyze-upgrade.ts';
import { UsageError } from '../errors.ts';
import { interruptible } from '../interrupt.ts';
import type { Io } from '../io.ts';
import { describeMigrationEvent } from '../migrations/migration-events.ts';
import { resolveTimeoutSettings } from '../migrations/migration-timeouts.ts';
import { configAndTarget, targetLabel } from './common.ts';
import type { MigrateFlags } from './migration-commands.ts';
import { lockEffect } from '../lock-modes.ts';

/** Like pg_size_pretty: bytes below 10 kB, then kB, MB, GB, TB, rounded. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (unit < units.length - 1 && Math.abs(value) >= 10 * 1024) {
    value /= 1024;
    unit += 1;
  }
  return `${Math.round(value)} ${units[unit]}`;
}

const seconds = (s: number) => `${s.toFixed(2)} s`;
const count = (n: number) => n.toLocaleString('en-US');

function tableLine(t: TableReport): string {
  const rows = [t.inserted && `${count(t.inserted)} inserted`, t.updated && `${count(t.updated)} updated`, t.deleted && `${count(t.deleted)} deleted`]
    .filter(Boolean)
    .join(', ');
  const size =
    t.bytesBefore === null ? formatBytes(t.bytesAfter!)
    : t.bytesAfter === null ? `was ${formatBytes(t.bytesBefore)}`
    : t.bytesBefore === t.bytesAfter ? `${formatBytes(t.bytesAfter)}, size unchanged`
    : formatBytes(t.bytesBefore) === formatBytes(t.bytesAfter) ? `${formatBytes(t.bytesAfter)} (${t.bytesAfter > t.bytesBefore ? '+' : '-'}${formatBytes(Math.abs(t.bytesAfter - t.bytesBefore))})`
    : `${formatBytes(t.bytesBefore)} -> ${formatBytes(t.bytesAfter)}`;
  const what = {
    created: 'created',
    dropped: 'dropped',
    rewritten: `rewritten, ${count(t.rewrittenRows ?? 0)} row(s) written again${rows ? ` (rows ${rows})` : ''}`,
    'rows changed': `rows ${rows}`,
    'locked only': 'no rows changed',
  }[t.change];
  return `  table ${t.table}: ${what}; ${size}`;
}

export function analysisLines(analysis: MigrationAnalysis): string[] {
  const lines = [`Would apply: ${analysis.fileName}  ${seconds(analysis.seconds)}${analysis.failure ? ' (FAILED on the copy)' : ''}`];
  for (const lock of analysis.locks) {
    const taken = lock.line ? ` (line ${lock.line})` : '';
    const held = lock.heldSeconds === null ? 'briefly' : seconds(lock.heldSeconds);
    lines.push(`  lock  ${lock.mode} on ${lock.table}${taken}, held ${held} (${lockEffect(lock.mode)})`);
  }
  for (const table of analysis.tables) lines.push(tableLine(table));
  return lines;
}

function resultLines(result: AnalyzeResult, where: string): string[] {
  const lines = result.migrations.flatMap(analysisLines);
  for (const file of result.notRun) lines.push(`Not run: ${file} (an earlier migration failed on the copy)`);
  const total = result.migrations.reduce((sum, m) => sum + m.seconds, 0);
  lines.push(
    `Dry run with --analyze: ${result.migrations.length} pending migration(s) ran in ${seconds(total)} on a copy of ${where} ` +
      `(copied in ${seconds(result.copySeconds)}, then dropped); the local database was not changed`,
  );
  return lines;
}

/** rb upgrade --dry-run --analyze: the pending migrations on a throwaway copy of the local database. */
export async function analyzeCommand(flags: MigrateFlags & { allowEdited?: boolean; allowOutOfOrder?: boolean }, io: Io): Promise<void> {
  if (flags.prod) {
    throw new UsageError(
      "rb upgrade --dry-run --analyze never touches production: it runs the pending migrations on a copy of the local database (rb dump-and-restore puts production's data there first); drop --prod",
    );
  }
  if (!flags.dryRun) throw new UsageError('--analyze goes with --dry-run: rb upgrade --dry-run --analyze runs the pending migrations on a throwaway copy and changes nothing');
  const { config, target } = await configAndTarget(flags, io);
  const result = await interruptible(({ signal }) =>
    analyzeUpgrade(config, target, {
      timeouts: resolveTimeoutSettings(config.projectDir, flags),
      allowEdited: flags.allowEdited,
      allowOutOfOrder: flags.allowOutOfOrder,
      signal,
      onProgress: (line) => io.err(`rb: ${line}`),
      onRetry: (retry) => io.err(describeMigrationEvent({ kind: 'lock-retry', ...retry })),
    }),
  );
  if (!result) {
    io.out(`${targetLabel(target)}: up to date, nothing to analyze`);
    return;
  }
  for (const file of result.outOfOrder) io.err(`warning: ${file} is older than the newest applied migration (a parallel branch); rb upgrade would apply it anyway`);
  for (const line of resultLines(result, targetLabel(target))) io.out(line);
  const failed = result.migrations.find((m) => m.failure);
  if (failed) throw failedOnCopy(failed, result.notRun);
}
