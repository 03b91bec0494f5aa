import { cac, type CAC } from 'cac';
import type { Io } from './io.ts';

/**
 * The command table, and nothing else: each action turns flags into options and calls one
 * function from src/commands (imported lazily so `rb --help` stays fast).
 */
export function buildCli(io: Io): CAC {
  const cli = cac('rb');
  cli
    .option('--prod', 'Target production (PROD_DATABASE_URL); asks before changing anything')
    .option('--yes', 'Answer the production confirmation non-interactively (CI)')
    .option('--database-url <url>', 'Use this database instead of DATABASE_URL or the embedded server');

  cli
    .command('new-migration [...name]', 'Create db/migrations/<UTC timestamp>_<name>.sql')
    .alias('revision')
    .example('rb new-migration add my model')
    .action(async (name: string[]) => (await import('./commands/migration-commands.ts')).newMigrationCommand(name, io));

  cli
    .command('upgrade', 'Apply pending migrations (locally also rewrites db/schema.sql)')
    .alias('up')
    .option('--dry-run', 'List what would be applied; change nothing')
    .example('rb upgrade --prod')
    .action(async (flags) => (await import('./commands/migration-commands.ts')).upgradeCommand(flags, io));

  cli
    .command('downgrade [steps]', 'Roll back the newest N applied migrations (default 1; -1 works too)')
    .alias('down')
    .option('--dry-run', 'List what would be rolled back; change nothing')
    .example('rb downgrade 2')
    .action(async (steps: string | undefined, flags) => (await import('./commands/migration-commands.ts')).downgradeCommand(steps, flags, io));

  cli
    .command('status', 'List migration files and applied versions')
    .alias('history')
    .action(async (flags) => (await import('./commands/migration-commands.ts')).statusCommand(flags, io));

  cli
    .command('current', 'Print the newest applied version')
    .action(async (flags) => (await import('./commands/migration-commands.ts')).currentCommand(flags, io));

  cli
    .command('db <action>', 'Manage the embedded local PostgreSQL: start | stop | status | url')
    .action(async (action: string) => (await import('./commands/local-db-commands.ts')).dbCommand(action, io));

  cli.help();
  cli.version('0.1.0');
  return cli;
}
