import type { BatchProgress } from './run-batches.ts';

const n = (value: number) => Math.round(value).toLocaleString('en-US');

/** "1:05" / "42s" */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Rows per second of this run (rows of earlier runs are not in the rate). */
export function rowsPerSecond(progress: BatchProgress): number {
  return progress.elapsedMs > 0 ? (progress.rowsThisRun * 1000) / progress.elapsedMs : 0;
}

/** "120,000/1,000,000 rows (12.0%), 350,000 rows/s, ETA 3s, 12 batches" */
export function formatProgress(progress: BatchProgress): string {
  const rate = rowsPerSecond(progress);
  const total = progress.rowsTotal;
  const percent = total > 0 ? ` (${((100 * progress.rowsDone) / total).toFixed(1)}%)` : '';
  const eta = rate > 0 ? formatDuration(((total - progress.rowsDone) / rate) * 1000) : '?';
  return `${n(progress.rowsDone)}/${progress.totalIsEstimate ? '~' : ''}${n(total)} rows${percent}, ${n(rate)} rows/s, ETA ${eta}, ${progress.batches} batch${progress.batches === 1 ? '' : 'es'}`;
}

export function formatCount(value: number): string {
  return n(value);
}
