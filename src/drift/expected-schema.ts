import { withClient } from '../client.ts';
import { takeSnapshot, type Snapshot } from '../check/schema-snapshot.ts';
import { createScratchDatabase, type DroppedLeftover } from '../check/scratch-database.ts';
import { InterruptedError, MigrationError } from '../errors.ts';
import { quoteIdent } from '../local-db/ensure-database.ts';
import type { MigrationFile } from '../migrations/migration-file.ts';
import { describeFailure, failureError, runMigrations } from '../migrations/run-migrations.ts';
import { settingClause } from '../restore/database-properties.ts';
import { migrationRoleOf } from './read-target.ts';

export interface ExpectedSchema {
  snapshot: Snapshot;
  /** The role the scratch database's migrations ran as (the owner of its objects). */
  migrationRole: string | null;
}

/**
 * The schema the given migrations build, read from a scratch database that rb check's machinery
 * creates on `serverUrl` (and drops, also after a kill: src/check/scratch-database.ts). The
 * files run through the one dbmate runner, in version order, with the target's search_path.
 */
export async function buildExpectedSchema(
  serverUrl: string,
  files: MigrationFile[],
  options: { searchPath: string | null; show: (filePath: string) => string; onLeftoverDropped?: (leftover: DroppedLeftover) => void },
): Promise<ExpectedSchema> {
  const scratch = await createScratchDatabase(serverUrl, 'rb drift', { onLeftoverDropped: options.onLeftoverDropped });
  try {
    // For the role that runs the migrations, in this database only: above any setting of that role's own.
    if (options.searchPath) await withClient(scratch.url, (sql) => sql.unsafe(`alter role current_user in database ${quoteIdent(scratch.name)} set ${settingClause(options.searchPath!)}`));
    const run = await runMigrations(scratch.url, files, 'migrate', { replayToLocate: true });
    if (run.stopped) throw new InterruptedError(`stopped by ${run.stopped.signal}`, run.stopped.signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    if (run.failure) {
      const text = describeFailure(run.failure, options.show);
      if (run.failure.connectionLost) throw failureError(run.failure, `lost the connection to the scratch database: ${text}`);
      throw new MigrationError(
        `${text}; the applied migrations do not build on an empty scratch database (${scratch.name}), so rb drift cannot say what they create ` +
          '(a role or an extension the server lacks? rb check shows the same failure)',
      );
    }
    return await withClient(
      scratch.url,
      async (sql) => ({ snapshot: await takeSnapshot(sql), migrationRole: await migrationRoleOf(sql) }),
      { connection: { search_path: 'pg_catalog' } },
    );
  } finally {
    await scratch.drop();
  }
}
