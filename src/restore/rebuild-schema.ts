import { relativeToProject, type Config } from '../config.ts';
import { RbError } from '../errors.ts';
import { describeFailure, failureError, runMigrations } from '../migrations/run-migrations.ts';
import type { MigrationFile } from '../migrations/migration-file.ts';

/**
 * Applies exactly these files with dbmate, in version order. A failure names the file and line
 * (src/migrations/run-migrations.ts); a lost connection is a ConnectionError.
 */
export async function migrateFiles(config: Config, url: string, files: MigrationFile[]): Promise<void> {
  const run = await runMigrations(url, files, 'migrate');
  if (run.stopped) throw new RbError(`dbmate was stopped by ${run.stopped.signal}`);
  if (run.failure) throw failureError(run.failure, describeFailure(run.failure, (p) => relativeToProject(config, p)));
}
