import { baseline } from '../adopt/baseline.ts';
import { findImporter, importHistory } from '../adopt/import-history.ts';
import { loadConfig } from '../config.ts';
import { interruptible } from '../interrupt.ts';
import type { Io } from '../io.ts';
import { describeMigrationEvent } from '../migrations/migration-events.ts';
import { resolveTarget } from '../target/resolve-target.ts';
import { configAndTarget, relativeToProject, targetLabel, type TargetFlags } from './common.ts';

/** pg_dump's kinds worth counting in a summary, as words. */
const KINDS: [string, string][] = [
  ['EXTENSION', 'extension'], ['SCHEMA', 'schema'], ['TABLE', 'table'], ['VIEW', 'view'], ['MATERIALIZED VIEW', 'materialized view'],
  ['SEQUENCE', 'sequence'], ['INDEX', 'index'], ['TYPE', 'type'], ['DOMAIN', 'domain'], ['FUNCTION', 'function'], ['PROCEDURE', 'procedure'], ['TRIGGER', 'trigger'],
];

/** "3 tables, 1 view, 2 indexes" */
export function describeObjects(objects: Map<string, number>): string {
  const parts = KINDS.filter(([kind]) => objects.get(kind)).map(([kind, word]) => {
    const n = objects.get(kind)!;
    return `${n} ${n === 1 ? word : word.endsWith('x') ? `${word}es` : `${word}s`}`;
  });
  return parts.join(', ') || 'no objects';
}

export async function baselineCommand(flags: TargetFlags & { dryRun?: boolean }, io: Io): Promise<void> {
  const { config, target } = await configAndTarget(flags, io);
  // Ctrl-C / SIGTERM while waiting for the migration lock: rb stops there, nothing recorded (exit 130 / 143).
  const result = await interruptible(({ signal }) =>
    baseline(config, target, {
      dryRun: flags.dryRun,
      yes: flags.yes,
      confirm: io.confirm,
      announce: io.err,
      onEvent: (event) => io.err(describeMigrationEvent(event)),
      signal,
    }),
  );
  const file = relativeToProject(config, result.file);
  const would = result.dryRun ? 'Would' : '';
  const left = result.leftOut.length ? `; left out: ${result.leftOut.map((t) => `${t.table} (${t.tool}'s tracking table)`).join(', ')}` : '';
  if (result.written) io.out(`${would ? 'Would write' : 'Wrote'} ${file}: the schema of ${config.schemas.join(', ')} (${describeObjects(result.objects)})${left}`);
  else io.out(`The schema of ${config.schemas.join(', ')} (${describeObjects(result.objects)}) is the one in ${file}`);
  io.out(`${would ? 'Would record' : 'Recorded'} ${file.split('/').pop()} as applied on ${targetLabel(target)}, without running it`);
  if (result.schemaFile) io.out(`Wrote ${relativeToProject(config, result.schemaFile)}`);
  if (result.pending.length) io.out(`${result.pending.length} other migration(s) in ${relativeToProject(config, config.migrationsDir)} stay pending: rb upgrade applies them`);
  if (result.dryRun) io.out('Dry run: nothing was written or recorded');
}

export async function importCommand(tool: string, dir: string, flags: TargetFlags & { dryRun?: boolean }, io: Io): Promise<void> {
  const importer = findImporter(tool);
  const config = loadConfig();
  // Without a database the files are converted only: the old tool's table is on the databases it migrated.
  const target = flags.prod || flags.databaseUrl ? await resolveTarget(config, { prod: flags.prod, databaseUrl: flags.databaseUrl, warn: io.err }) : undefined;
  const result = await interruptible(({ signal }) =>
    importHistory(config, importer, dir, target, {
      dryRun: flags.dryRun,
      yes: flags.yes,
      confirm: io.confirm,
      announce: io.err,
      onEvent: (event) => io.err(describeMigrationEvent(event)),
      signal,
    }),
  );
  for (const warning of result.warnings) io.err(`warning: ${warning}`);
  const fresh = result.files.filter((f) => f.state === 'new');
  const verb = result.dryRun ? 'Would convert' : 'Converted';
  io.out(`${verb} ${result.files.length} ${importer.tool} migration(s) into ${relativeToProject(config, config.migrationsDir)} (${fresh.length} new, ${result.files.length - fresh.length} there already):`);
  for (const file of result.files) {
    io.out(`  ${file.source.files.join(' + ')} -> ${file.entry.fileName}${file.state === 'unchanged' ? ' (unchanged)' : ''}`);
  }
  const tracking = result.tracking;
  if (!tracking) {
    io.out(`Next: record what ${importer.tool} applied on each database it migrated: rb import ${importer.name} ${dir} --database-url <its URL> (or --prod)`);
    return;
  }
  const where = targetLabel(tracking.target);
  io.out(`${importer.tool}'s ${tracking.source.table} on ${where}: ${tracking.source.summary}`);
  if (tracking.source.moveAside) io.out(`${result.dryRun ? 'Would move' : 'Moved'} ${tracking.source.table} to ${tracking.source.moveAside.to}, so dbmate's tracking table can take its name`);
  const already = tracking.alreadyRecorded ? ` (${tracking.alreadyRecorded} recorded already)` : '';
  io.out(`${result.dryRun ? 'Would record' : 'Recorded'} ${tracking.recorded.length} migration(s) as applied on ${where}, without running them${already}`);
  if (result.schemaFile) io.out(`Wrote ${relativeToProject(config, result.schemaFile)}`);
  if (result.dryRun) io.out('Dry run: nothing was written or recorded');
}
