import { describeUnadopted } from '../adopt/adoption-hint.ts';
import type { Target } from '../target/resolve-target.ts';
import type { LockRetry } from './apply-migration.ts';
import { describeHolder, type LockWait } from './migration-lock.ts';
import { describeBackend } from '../session-activity.ts';
import { describeOwners, type SessionWait } from './migration-sessions.ts';
import type { Unadopted } from './migration-status.ts';

/** Progress worth telling the person while a migration command runs (the library never prints). */
export type MigrationEvent =
  | ({ kind: 'lock-wait' } & LockWait)
  | ({ kind: 'session-wait' } & SessionWait)
  | ({ kind: 'lock-retry' } & LockRetry)
  | { kind: 'edit-accepted'; fileName: string }
  | { kind: 'edited-rollback'; fileName: string }
  | { kind: 'unadopted'; unadopted: Unadopted; target: Target };

/** One line for the command to print on stderr. */
export function describeMigrationEvent(event: MigrationEvent): string {
  switch (event.kind) {
    case 'lock-wait':
      return `waiting for the migration lock (${Math.round(event.waitedMs / 1000)}s so far): held by ${describeHolder(event.holder)}`;
    case 'session-wait':
      return (
        `waiting for ${describeOwners(event.sessions)} to finish (${Math.round(event.waitedMs / 1000)}s so far; ` +
        `dbmate carries on after its rb is gone): ${event.sessions.map(describeBackend).join('; ')}`
      );
    case 'lock-retry':
      return `${event.fileName}: lock timeout (lock_timeout ${event.lockTimeout}); retrying in ${event.waitMs / 1000}s (attempt ${event.attempt} of ${event.attempts})`;
    case 'edit-accepted':
      return `warning: ${event.fileName} was edited after it was applied; --allow-edited: recorded its new checksum`;
    case 'edited-rollback':
      return `warning: ${event.fileName} was edited after it was applied; rolling it back with the down section it has now`;
    case 'unadopted':
      return describeUnadopted(event.unadopted, event.target);
  }
}
