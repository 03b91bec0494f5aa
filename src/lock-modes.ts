/**
 * PostgreSQL's table-level lock modes and what each stops other sessions from doing: one place for
 * rb check's impact stage (src/check/impact-*.ts) and `rb upgrade --analyze` (src/analyze/).
 */

/** pg_locks' mode names, weakest first. */
export const LOCK_MODES = [
  'AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock',
  'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock',
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

/** Orders modes weakest first; an unknown name (another lock type) sorts first. */
export function lockStrength(mode: string): number {
  return LOCK_MODES.indexOf(mode as LockMode);
}

/**
 * What other sessions cannot do to a relation while a lock of this mode is held. "writes of the
 * changed rows": the ROW EXCLUSIVE lock of an UPDATE/DELETE/MERGE blocks no one, but each row it
 * changed stays locked until the transaction commits.
 */
export type Blocked = 'reads and writes' | 'writes' | 'writes of the changed rows' | 'nothing';

export function blockedBy(mode: LockMode, { changesRows = false } = {}): Blocked {
  if (mode === 'AccessExclusiveLock') return 'reads and writes';
  if (mode === 'RowExclusiveLock' && changesRows) return 'writes of the changed rows';
  // SHARE and stronger conflict with ROW EXCLUSIVE (INSERT/UPDATE/DELETE); only ACCESS EXCLUSIVE conflicts with SELECT.
  return lockStrength(mode) >= lockStrength('ShareLock') ? 'writes' : 'nothing';
}

/** "ACCESS EXCLUSIVE", as the PostgreSQL documentation names the mode. */
export function lockName(mode: LockMode): string {
  return mode.replace(/Lock$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}

/** A lock's effect in a sentence, for `rb upgrade --analyze`'s report. */
export function lockEffect(mode: string): string {
  if (!LOCK_MODES.includes(mode as LockMode)) return 'see the PostgreSQL lock table';
  // Taken by UPDATE/DELETE/INSERT: the table stays open, but each row changed stays locked until commit.
  if (mode === 'RowExclusiveLock') return 'reads and writes of other rows go on; writes to the rows it changed wait until it commits';
  // Taken by CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT, VACUUM: only other such operations wait.
  if (mode === 'ShareUpdateExclusiveLock') return 'blocks schema changes and VACUUM; reads and writes go on';
  const blocked = blockedBy(mode as LockMode);
  return blocked === 'reads and writes' ? 'blocks reads and writes' : blocked === 'writes' ? 'blocks writes; reads go on' : 'reads and writes go on';
}
