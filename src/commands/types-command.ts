import path from 'node:path';
import { loadConfig, relativeToProject, type Config } from '../config.ts';
import { RbError, UsageError } from '../errors.ts';
import { interruptible } from '../interrupt.ts';
import type { Io } from '../io.ts';
import { generateTypes, type TypesResult } from '../types/generate-types.ts';
import { loadTypesSettings, PGTYPED_CONFIG_FILE } from '../types/pgtyped-config.ts';

export interface TypesFlags {
  check?: boolean;
  watch?: boolean;
  prod?: boolean;
  databaseUrl?: string;
}

/**
 * Prints a run; returns the error to throw (invalid queries, stale files), if any. `quiet`
 * (after rb upgrade) leaves out the summary line when nothing was written or removed.
 */
export function reportTypes(result: TypesResult, io: Io, quiet = false): RbError | undefined {
  for (const note of result.ignored) io.err(`note: ${PGTYPED_CONFIG_FILE}: ignoring ${note}`);
  for (const warning of result.warnings) io.err(`warning: ${warning}`);
  if (result.problems.length > 0) {
    for (const p of result.problems) {
      io.err(`${p.file}${p.line ? `:${p.line}` : ''}: ${p.query ? `query ${p.query}: ` : ''}${p.message}`);
    }
    const files = new Set(result.problems.map((p) => p.file)).size;
    return new RbError(
      `${result.problems.length} invalid quer${result.problems.length === 1 ? 'y' : 'ies'} in ${files} file(s); ${result.check ? 'the check failed' : 'nothing was written'}; fix them and run rb types again`,
    );
  }
  if (result.shadow?.rebuilt) io.out(`Rebuilt the shadow database ${result.shadow.name} from the migrations`);
  const written = result.files.filter((f) => f.status === 'written');
  for (const f of written) io.out(`Wrote ${f.output}`);
  const removed = result.files.filter((f) => f.status === 'removed');
  for (const f of removed) io.out(`Removed ${f.output} (its query file ${f.source} is gone)`);
  if (result.check) {
    const stale = result.files.filter((f) => f.status === 'stale' || f.status === 'missing' || f.status === 'orphan');
    for (const f of stale) {
      if (f.status === 'orphan') io.err(`${f.output} is stale: its query file ${f.source} no longer exists; delete it (rb types does)`);
      else io.err(`${f.output} is ${f.status === 'missing' ? 'missing' : 'stale'}: it differs from what rb types generates from ${f.source}`);
    }
    if (stale.length > 0) return new RbError(`${stale.length} generated file(s) out of date; run rb types and commit the result`);
    io.out(`${result.files.filter((f) => f.status !== 'orphan').length} query file(s): generated types are up to date`);
    return undefined;
  }
  const sources = result.files.length - removed.length;
  if (quiet && written.length + removed.length === 0) return undefined;
  io.out(`${sources} query file(s): ${written.length} written, ${sources - written.length} unchanged${result.generated === 0 && written.length + removed.length === 0 ? ' (nothing changed since the last run)' : ''}`);
  return undefined;
}

function serverResolver(config: Config, flags: TypesFlags): () => Promise<string> {
  return async () => {
    // Loaded only when a file must be generated: "nothing changed" loads no database client.
    const [{ resolveTarget }, { refuseProductionServer }] = await Promise.all([import('../target/resolve-target.ts'), import('./common.ts')]);
    const target = await resolveTarget(config, { databaseUrl: flags.databaseUrl });
    await refuseProductionServer(target, 'types', 'build the shadow database');
    return target.url;
  };
}

export async function typesCommand(flags: TypesFlags, io: Io): Promise<void> {
  if (flags.prod) {
    throw new UsageError('rb types never uses production: it generates against a shadow database beside your local or DATABASE_URL server; drop --prod');
  }
  if (flags.check && flags.watch) throw new UsageError('--check and --watch cannot be combined: --check is a one-shot comparison for CI');
  const config = loadConfig();
  const options = { check: flags.check, serverUrl: serverResolver(config, flags) };
  if (!flags.watch) {
    // Ctrl-C stops it before anything is written, dbmate's session on the shadow database included.
    const error = reportTypes(await interruptible(({ signal }) => generateTypes(config, { ...options, signal })), io);
    if (error) throw error;
    return;
  }
  const { watchAndRun } = await import('../types/watch-types.ts');
  const outputs = /\.ts$/; // generated files (rb's own writes)
  const configFile = path.join(config.projectDir, PGTYPED_CONFIG_FILE);
  // The queries folder is pgtyped's srcDir, read again after each run (an edited config is followed).
  let srcDir: string | undefined;
  const paths = () => {
    try {
      srcDir = loadTypesSettings(config.projectDir).srcDir;
    } catch {
      // an invalid config: the run reports it; keep watching the last good srcDir
    }
    return [...(srcDir ? [srcDir] : []), config.migrationsDir, configFile];
  };
  const shown = paths().map((p) => relativeToProject(config, p));
  io.out(`Watching ${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]} (Ctrl-C stops)`);
  await watchAndRun({
    paths,
    ignore: (file) => outputs.test(file),
    run: async () => {
      try {
        const error = reportTypes(await generateTypes(config, options), io);
        if (error) io.err(`rb: ${error.message}`);
      } catch (error) {
        if (!(error instanceof RbError)) throw error;
        io.err(`rb: ${error.message}`);
      }
    },
  });
}
