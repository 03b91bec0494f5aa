/**
 * rb types on 50 query files / 200 queries, with rb's own embedded server running (a temporary
 * project, the server started by the toolkit's code), in one run:
 *   1. `pgtyped -c pgtyped.config.json --uri <shadow>`  once   (baseline of the full generation)
 *   2. `rb types` with a cold cache (every file generated) once (target: >= 4x faster than 1)
 *   3. RB_BENCH_REPS (default 15) interleaved rounds of
 *        node -e 0
 *        rb types, nothing changed                          (target: <= 2x node, and < 0.5 s)
 *        rb types after editing 1 of the 50 query files     (target: <= 4x node)
 *      (a different file each round; its first query gains or loses a result column)
 *        node + loading rb's pgtyped bundle, and + parsing one query file (for the breakdown)
 * Both tools run as a person starts them (a fresh process each). Exits 1 when a target is missed.
 *   node --import tsx scripts/bench/types-generation.ts
 */
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { withDatabase } from '../../src/target/database-url.ts';
import { repoRoot } from '../../test/support/databases.ts';
import {
  benchEnv, environments, expectOutput, inEnvironments, interleaved, median, ms, projectWithEmbeddedServer, rbBin, repetitions, timeRun, verdict,
  type Target,
} from './support/bench.ts';
import { editQuery, QUERIES_PER_FILE, QUERY_FILES, tablesMigration, writeQueries } from './support/query-project.ts';

const reps = repetitions(15);
const project = await projectWithEmbeddedServer(tablesMigration());
const queriesDir = path.join(project.dir, 'queries');
const generated = () => readdirSync(queriesDir).filter((f) => f.endsWith('.queries.ts'));
const removeGenerated = () => {
  for (const f of generated()) rmSync(path.join(queriesDir, f));
};
const rbTypes = { command: process.execPath, args: [rbBin, 'types'] };
// pgtyped's bundle as rb types loads it: with V8's code cache the runs before left in .rb/.
const codeCacheModule = JSON.stringify(pathToFileURL(path.join(repoRoot, 'src', 'dist', 'types', 'code-cache.js')).href);
const bundleArgs = `${JSON.stringify(path.join(repoRoot, 'src', 'dist', 'vendor', 'pgtyped.cjs'))}, ${JSON.stringify(path.join(project.dir, '.rb', 'pgtyped.code-cache'))}`;
const LOAD_BUNDLE = `const { runWithCodeCache } = await import(${codeCacheModule});\nrunWithCodeCache(${bundleArgs});`;
const PARSE_ONE = `import { readFileSync } from 'node:fs';\nconst { runWithCodeCache } = await import(${codeCacheModule});\n` +
  `runWithCodeCache(${bundleArgs}).exports.parseSQLFile(readFileSync('queries/q00.sql', 'utf8'));`;

try {
  writeQueries(project.dir);
  // Build the shadow database once (both tools then read the same migrated database).
  timeRun({ label: 'rb types (shadow)', ...rbTypes, check: expectOutput('Rebuilt the shadow database') }, project.dir, project.env);
  removeGenerated();
  const shadowUrl = withDatabase(project.url, 'development_rb_shadow');
  const pgtypedCli = path.join(repoRoot, 'node_modules', '@pgtyped', 'cli', 'lib', 'index.js');
  const pgtyped = timeRun({
    label: 'pgtyped', command: process.execPath, args: [pgtypedCli, '-c', 'pgtyped.config.json', '--uri', shadowUrl],
    check: (out) => {
      if (/Error in query|Error processing/.test(out) || generated().length !== QUERY_FILES) throw new Error(`pgtyped did not generate ${QUERY_FILES} files:\n${out.slice(0, 2000)}`);
    },
  }, project.dir, benchEnv()); // no RB_*/PG* variables: PG* would override pgtyped's --uri
  removeGenerated();
  rmSync(path.join(project.dir, '.rb', 'types-cache.json'), { force: true });
  const full = timeRun({ label: 'rb types (full)', ...rbTypes, check: expectOutput(`${QUERY_FILES} written, 0 unchanged`) }, project.dir, project.env);

  console.log(`${QUERY_FILES} query files, ${QUERY_FILES * QUERIES_PER_FILE} queries; rb's embedded PostgreSQL`);
  console.log(`pgtyped -c (plain CLI), once       ${ms(pgtyped)}`);
  console.log(`rb types, full (cold cache), once  ${ms(full)}   ${(pgtyped / full).toFixed(1)}x faster`);
  const targets: Target[] = [{ name: 'pgtyped CLI / rb types (full)', value: pgtyped / full, limit: 4, unit: 'x', atLeast: true }];
  let round = 0;
  const envs = environments(project.env);
  const samples = interleaved(inEnvironments([
    { label: 'node', command: process.execPath, args: ['-e', '0'] },
    { label: 'unchanged', ...rbTypes, check: expectOutput('(nothing changed since the last run)') },
    { label: 'edited', ...rbTypes, before: () => editQuery(project.dir, (round++ * 7) % QUERY_FILES), check: expectOutput(`${QUERY_FILES} query file(s): 1 written, ${QUERY_FILES - 1} unchanged`) },
    { label: 'bundle', command: process.execPath, args: ['--input-type=module', '-e', LOAD_BUNDLE] },
    { label: 'parse', command: process.execPath, args: ['--input-type=module', '-e', PARSE_ONE] },
  ], envs), reps, project.dir);
  for (const { key, name } of envs) {
    const [node, unchanged, edited, loaded, parsed] = ['node', 'unchanged', 'edited', 'bundle', 'parse'].map((label) => median(samples.get(`${key} ${label}`)!));
    console.log(`${name}: medians of ${reps} interleaved runs each`);
    console.log(`  node -e 0                          ${ms(node)}`);
    console.log(`  rb types, nothing changed          ${ms(unchanged)}  ${(unchanged / node).toFixed(2)}x node`);
    console.log(`  rb types, 1 of ${QUERY_FILES} files edited     ${ms(edited)}  ${(edited / node).toFixed(2)}x node`);
    console.log(`  1 of ${QUERY_FILES} edited, where the time goes: node ${ms(node)}; rb up to the cache check ${ms(unchanged - node)}; ` +
      `loading pgtyped (bundle, code cache) ${ms(loaded - node)}; its first parse ${ms(parsed - loaded)}; ` +
      `the rest (server and shadow checks, 3 connections, pgtyped's generation, writing) ${ms(edited - unchanged - (parsed - node))}`);
    if (key === 'given') {
      targets.push(
        { name: 'rb types (nothing changed) / node -e 0', value: unchanged / node, limit: 2, unit: 'x' },
        { name: 'rb types (nothing changed)', value: unchanged, limit: 500, unit: 'ms' },
        { name: `rb types (1 of ${QUERY_FILES} edited) / node -e 0`, value: edited / node, limit: 4, unit: 'x' },
      );
    }
  }
  verdict(targets);
} finally {
  await project.stop();
}
