import { withClient } from '../client.ts';
import { relativeToProject, type Config } from '../config.ts';
import { RbError } from '../errors.ts';
import { readAppliedVersions } from '../migrations/applied-versions.ts';
import { endOwnSessions } from '../migrations/migration-sessions.ts';
import { describeFailure, failureError, runMigrations } from '../migrations/run-migrations.ts';
import type { MigrationFile } from '../migrations/migration-file.ts';

/** dbmate was stopped (rb was asked to stop, or dbmate was ended); `detail` says what it had done. */
export class MigrationsStopped extends RbError {
  constructor(readonly detail: string) {
    super(`dbmate was stopped: ${detail}`);
  }
}

/**
 * Applies exactly these files with dbmate, in version order. A failure names the file and line
 * (src/migrations/run-migrations.ts); a lost connection is a ConnectionError.
 */
export async function migrateFiles(config: Config, url: string, files: MigrationFile[]): Promise<void> {
  const run = await runMigrations(url, files, 'migrate');
  if (run.stopped) throw new MigrationsStopped(await settleStopped(url, files, run.stopped.current));
  if (run.failure) throw failureError(run.failure, describeFailure(run.failure, (p) => relativeToProject(config, p)));
}

/**
 * dbmate ended with rb (src/interrupt.ts), but its server session carries on with the statement
 * (lib/pq sends no cancel when its process dies), holding the migration's locks. End it and wait
 * until it is gone, as rb upgrade does (src/migrations/stopped-migration.ts): a transactional
 * file is then rolled back. Says which files are applied and what became of the one that ran.
 */
async function settleStopped(url: string, files: MigrationFile[], current: MigrationFile | undefined): Promise<string> {
  const applied = await withClient(url, async (sql) => {
    await endOwnSessions(sql);
    return new Set(await readAppliedVersions(sql));
  });
  const done = files.filter((f) => applied.has(f.version));
  const parts = done.length ? [`applied ${done.map((f) => f.fileName).join(', ')}`] : [];
  if (current && !applied.has(current.version)) {
    parts.push(
      current.up.options.transaction === 'false'
        ? `${current.fileName} runs outside a transaction (transaction:false), was cut off and may have run part-way: check what it did before rb upgrade runs it again`
        : `${current.fileName} was cut off and rolled back`,
    );
  }
  return parts.join('; ') || 'nothing was applied';
}
