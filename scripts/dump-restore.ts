/**
 * The dump-restore script, usable without the CLI:
 *   node --import tsx scripts/dump-restore.ts dump-and-restore [--keep-dump] [options]
 *   node --import tsx scripts/dump-restore.ts restore-to-dump <file> [options]
 * options: --exclude-table-data <pattern>, --exclude-table <pattern> (both repeatable), --jobs N, --no-pending, --database-url <url>
 * It calls the same functions as `rb dump-and-restore` / `rb restore-to-dump` (src/commands/restore-commands.ts
 * over src/restore/); run from the project directory.
 */
import { parseArgs } from 'node:util';
import { dumpAndRestoreCommand, restoreToDumpCommand } from '../src/commands/restore-commands.ts';
import { RbError, UsageError } from '../src/errors.ts';
import { exitCodeFor, installSignalHandlers } from '../src/interrupt.ts';
import { processIo } from '../src/io.ts';
import { maskUrl } from '../src/target/database-url.ts';

const USAGE = 'usage: node --import tsx scripts/dump-restore.ts (dump-and-restore | restore-to-dump <file>) [--exclude-table-data <pattern>]... [--exclude-table <pattern>]... [--jobs N] [--no-pending] [--keep-dump] [--database-url <url>]';

async function run(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'exclude-table-data': { type: 'string', multiple: true },
        'exclude-table': { type: 'string', multiple: true },
        jobs: { type: 'string' },
        'no-pending': { type: 'boolean' },
        'keep-dump': { type: 'boolean' },
        'database-url': { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; ${USAGE}`);
  }
  const { values, positionals } = parsed;
  const flags = {
    excludeTableData: values['exclude-table-data'],
    excludeTable: values['exclude-table'],
    jobs: values.jobs,
    pending: !values['no-pending'],
    keepDump: values['keep-dump'],
    databaseUrl: values['database-url'],
  };
  const [command, file, ...extra] = positionals;
  if (command === 'dump-and-restore' && file === undefined) return dumpAndRestoreCommand(flags, processIo);
  if (command === 'restore-to-dump' && file !== undefined && extra.length === 0) return restoreToDumpCommand(file, flags, processIo);
  throw new UsageError(USAGE);
}

// As rb does: Ctrl-C / SIGTERM end pg_dump/pg_restore with the script and drop the work database.
installSignalHandlers((signal) => process.exit(exitCodeFor(signal)));
try {
  await run(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof RbError)) throw error;
  process.stderr.write(`rb: ${maskUrl(error.message)}\n`);
  process.exitCode = error.exitCode;
}
