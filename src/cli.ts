import { cac, type CAC } from 'cac';
import type { Io } from './io.ts';
import { toolkitVersion } from './version.ts';

/**
 * The command table, and nothing else: each action turns flags into options and calls one
 * function from src/commands (imported lazily so `rb --help` stays fast).
 */
export function buildCli(io: Io): CAC {
  const cli = cac('rb');
  cli
    .option('--prod', 'Target production (PROD_DATABASE_URL); a command that would change it asks first')
    .option('--yes', 'Answer the production confirmation non-interactively (CI)')
    .option('--database-url <url>', 'Use this database instead of DATABASE_URL or the embedded server');

  cli
    .command('init', 'Set rb up in this app: migrations folder and first migration, pgtyped.config.json, queries and backfill folders, .gitignore, npm scripts (never overwrites)')
    .option('--existing-database', 'The app already has a database with tables: use the public schema and no schema migration (then run rb baseline)')
    .example('rb init')
    .example('rb init --existing-database')
    .action(async (flags) => (await import('./init/init-command.ts')).initCommand(flags, io));

  cli
    .command('new-migration [...name]', 'Create db/migrations/<UTC timestamp>_<name>.sql')
    .alias('revision')
    .example('rb new-migration add my model')
    .action(async (name: string[], flags) => (await import('./commands/migration-commands.ts')).newMigrationCommand(name, flags, io));

  cli
    .command('upgrade', 'Apply pending migrations (locally also rewrites db/schema.sql)')
    .alias('up')
    .alias('migrate')
    .option('--dry-run', 'List what would be applied; change nothing')
    .option('--analyze', 'With --dry-run: run the pending migrations on a throwaway copy of the local database; report time, locks, rewrites, sizes')
    .option('--allow-edited', 'Go ahead although applied migration files were edited (records their new checksums)')
    .option('--allow-out-of-order', 'With --prod: apply migrations older than the newest applied one')
    .option('--retry-failed', 'Run a failed transaction:false migration again, once you resolved what it left')
    .option('--lock-timeout <duration>', 'lock_timeout for each migration (default 5s; RB_LOCK_TIMEOUT)')
    .option('--statement-timeout <duration>', 'statement_timeout for each migration (default 1h; RB_STATEMENT_TIMEOUT)')
    .option('--no-types', 'Do not regenerate the query types afterwards (done on non-production databases when pgtyped.config.json exists)')
    .option('--json', 'Print the result as one JSON object')
    .example('rb upgrade --prod')
    .action(async (flags) => (await import('./commands/migration-commands.ts')).upgradeCommand(flags, io));

  cli
    .command('downgrade [steps]', 'Roll back the newest N applied migrations (default 1; -1 works too)')
    .alias('down')
    .alias('rollback')
    .option('--dry-run', 'List what would be rolled back; change nothing')
    .option('--allow-edited', 'With --prod: roll back files edited since they were applied (locally only a warning)')
    .option('--lock-timeout <duration>', 'lock_timeout for each migration (default 5s; RB_LOCK_TIMEOUT)')
    .option('--statement-timeout <duration>', 'statement_timeout for each migration (default 1h; RB_STATEMENT_TIMEOUT)')
    .option('--json', 'Print the result as one JSON object')
    .example('rb downgrade 2')
    .action(async (steps: string | undefined, flags) => (await import('./commands/migration-commands.ts')).downgradeCommand(steps, flags, io));

  cli
    .command('status', 'List migration files and applied versions')
    .alias('history')
    .option('--drift', 'Also compare the schema with what the applied migrations create (as rb drift; exit 1 on drift)')
    .option('--exit-code', 'Exit 1 when migrations are pending (CI), as dbmate status --exit-code')
    .option('--json', 'Print the result as one JSON object')
    .action(async (flags) => (await import('./commands/migration-commands.ts')).statusCommand(flags, io));

  cli
    .command('current', 'Print the newest applied version')
    .option('--json', 'Print the result as one JSON object')
    .action(async (flags) => (await import('./commands/migration-commands.ts')).currentCommand(flags, io));

  cli
    .command('drift', 'Compare the schema with what its applied migrations create on a scratch database (read-only; exit 1 on drift)')
    .option('--json', 'Print the result as one JSON object')
    .example('rb drift --prod')
    .action(async (flags) => (await import('./commands/drift-command.ts')).driftCommand(flags, io));

  cli
    .command('baseline', 'Adopt a database that already has a schema: write a baseline migration from it (pg_dump) and record it as applied without running it')
    .option('--dry-run', 'Say what would be written and recorded; change nothing')
    .example('rb baseline')
    .example('rb baseline --prod')
    .action(async (flags) => (await import('./commands/adopt-commands.ts')).baselineCommand(flags, io));

  cli
    .command('import <tool> <dir>', "Convert another tool's migrations (golang-migrate, flyway, prisma, node-pg-migrate) into db/migrations; with --database-url or --prod also record what it applied there")
    .option('--dry-run', 'Say what would be converted and recorded; change nothing')
    .example('rb import golang-migrate migrations')
    .example('rb import flyway src/main/resources/db/migration --prod')
    .action(async (tool: string, dir: string, flags) => (await import('./commands/adopt-commands.ts')).importCommand(tool, dir, flags, io));

  cli
    .command('db <action>', 'Manage the embedded local PostgreSQL: start | stop | status | url')
    .usage(
      'db <action>\n\nActions:\n' +
        '  start   Start the local PostgreSQL (initdb on first use) and make sure its database exists; prints its URL, masked\n' +
        '  stop    Stop it (the data stays under .rb/postgres)\n' +
        '  status  Say whether it runs, on which port, and where its data is\n' +
        '  url     Print the running server\'s URL with its password (psql "$(rb db url)")',
    )
    .action(async (action: string, flags) => (await import('./commands/local-db-commands.ts')).dbCommand(action, flags, io));

  cli
    .command('check', 'Prove the migrations sound: well-formed files, every down undoes its up, what each up locks and rewrites (scratch database), squawk lint, db/schema.sql current')
    .option('--json', 'Print the result as one JSON object')
    .option('--skip <stages>', 'Leave out stages: well-formed, round-trip, impact, lint, generated (comma-separated)')
    .option('--only <stages>', 'Run only these stages, e.g. --only impact')
    .example('rb check')
    .example('rb check --only impact')
    .example('rb check --skip lint --json')
    .action(async (flags) => (await import('./commands/check-command.ts')).checkCommand(flags, io));

  cli
    .command('run-script <path>', 'Run a backfill script in one transaction (batched scripts: one per batch, checkpointed, resumable)')
    .option('--dry-run', 'Run it, roll it back and report what it changed (batched: the first batch only)')
    .option('--batch-size <rows>', 'Batched scripts: rows per batch transaction (overrides the script)')
    .option('--pause <ms>', 'Batched scripts: milliseconds to wait between batches')
    .option('--restart', 'Batched scripts: forget the saved checkpoint and start from the first row')
    .example('rb run-script backfill/2024-09-20_my_model_populate_model_prop.ts --dry-run')
    .example('rb run-script backfill/2024-09-20_my_model_populate_model_prop.ts --prod -- --some-arg')
    .action(async (file: string, flags) => (await import('./commands/run-script-command.ts')).runScriptCommand(file, flags, io));

  cli
    .command('types', 'Generate a typed *.queries.ts beside each query file in srcDir of pgtyped.config.json, with pgtyped against a shadow database migrated from scratch')
    .option('--check', 'Generate in memory and fail, naming each stale file, when the committed files differ (CI)')
    .option('--watch', 'Regenerate whenever a query file, a migration or pgtyped.config.json changes')
    .example('rb types')
    .example('rb types --check')
    .action(async (flags) => (await import('./commands/types-command.ts')).typesCommand(flags, io));

  cli
    .command('dump-and-restore', 'Dump PROD_DATABASE_URL to .rb/dumps/, rebuild the local schema from the migrations, load the data, apply pending migrations')
    .option('--exclude-table-data <pattern>', 'Leave this table empty (pg_dump pattern, e.g. app.audit_*); repeatable')
    .option('--exclude-table <pattern>', 'Leave this table (and its sequence) out entirely, e.g. a table made by hand outside the migrations; repeatable')
    .option('--jobs <n>', 'Parallel jobs for the data load and index builds (default 1)')
    .option('--no-pending', "Stop at production's version: do not apply newer local migrations")
    .option('--keep-dump', 'Keep the dump under .rb/dumps/ after a successful restore (deleted otherwise)')
    .example('rb dump-and-restore --jobs 2 --exclude-table-data app.audit_log')
    .action(async (flags) => (await import('./commands/restore-commands.ts')).dumpAndRestoreCommand(flags, io));

  cli
    .command('restore-to-dump <file>', 'Restore a pg_dump custom-format file into the local database (schema from the migrations, then the data)')
    .option('--exclude-table-data <pattern>', 'Leave this table empty (pg_dump pattern, e.g. app.audit_*); repeatable')
    .option('--exclude-table <pattern>', 'Leave this table (and its sequence) out entirely, e.g. a table made by hand outside the migrations; repeatable')
    .option('--jobs <n>', 'Parallel jobs for the data load and index builds (default 1)')
    .option('--no-pending', "Stop at production's version: do not apply newer local migrations")
    .example('rb restore-to-dump .rb/dumps/production_20240820151319_20241001T120000Z.dump --no-pending')
    .action(async (file: string, flags) => (await import('./commands/restore-commands.ts')).restoreToDumpCommand(file, flags, io));

  // cac prints "(default: true)" after every --no-x option, which reads as if --no-x were on by default.
  cli.help((sections) => sections.map((section) => ({ ...section, body: section.body.replace(/ \(default: true\)$/gm, '') })));
  cli.version(toolkitVersion());
  return cli;
}
