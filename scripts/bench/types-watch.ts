/**
 * `rb types --watch`: from saving a query file to its .queries.ts written (target: median under
 * 300 ms over 20 saves). The 50-file project of types-generation.ts with rb's own embedded server;
 * `rb types` runs once (shadow database, cache), then `rb types --watch` starts and, once it has
 * reported its first run, 20 saves follow, each of another file (its first query gains or loses a
 * result column), written as an editor writes it, each after the previous run has finished and
 * 250 ms of quiet. The time of a save is taken when the file is written; the time of its result
 * when the generated file's content has changed (fs.watch on the folder, then a read). Prints the
 * median, the 90th percentile and every sample; exits 1 when the target is missed.
 *   node --import tsx scripts/bench/types-watch.ts
 */
import { spawn } from 'node:child_process';
import { readFileSync, watch, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  expectOutput, median, ms, percentile, projectWithEmbeddedServer, rbBin, repetitions, timeRun, verdict,
} from './support/bench.ts';
import { generatedPath, QUERY_FILES, queryPath, tablesMigration, writeQueries } from './support/query-project.ts';

const SAVES = repetitions(20);
const QUIET_MS = 250;

const project = await projectWithEmbeddedServer(tablesMigration());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
try {
  writeQueries(project.dir);
  timeRun({ label: 'rb types', command: process.execPath, args: [rbBin, 'types'], check: expectOutput(`${QUERY_FILES} written`) }, project.dir, project.env);

  const child = spawn(process.execPath, [rbBin, 'types', '--watch'], { cwd: project.dir, env: project.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const summaries = () => (stdout.match(/query file\(s\): /g) ?? []).length;
  async function waitForSummaries(count: number): Promise<void> {
    for (const deadline = Date.now() + 30_000; summaries() < count; await sleep(5)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`rb types --watch: no result:\n${stdout}\n${stderr}`);
    }
  }

  const latencies: number[] = [];
  try {
    await waitForSummaries(1);
    for (let save = 0; save < SAVES; save += 1) {
      await sleep(QUIET_MS);
      const i = (save * 7) % QUERY_FILES;
      const output = generatedPath(project.dir, i);
      const before = readFileSync(output, 'utf8');
      const source = readFileSync(queryPath(project.dir, i), 'utf8');
      const wide = 'SELECT id, name, amount, created_at,';
      const narrow = 'SELECT id, name, created_at,';
      const edited = source.includes(wide) ? source.replace(wide, narrow) : source.replace(narrow, wide);
      const written = new Promise<number>((resolve) => {
        const watcher = watch(path.dirname(output), (_event, name) => {
          if (name?.toString() !== path.basename(output)) return;
          let now: string;
          try {
            now = readFileSync(output, 'utf8');
          } catch {
            return; // being replaced: the next event tells
          }
          if (now === before) return;
          watcher.close();
          resolve(performance.now());
        });
      });
      const runs = summaries();
      const saved = performance.now();
      writeFileSync(queryPath(project.dir, i), edited);
      latencies.push((await Promise.race([written, sleep(30_000).then(() => { throw new Error(`no ${output} after 30 s:\n${stdout}\n${stderr}`); })])) - saved);
      await waitForSummaries(runs + 1);
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  if (!stdout.includes(`${QUERY_FILES} query file(s): 1 written, ${QUERY_FILES - 1} unchanged`)) throw new Error(`unexpected watch output:\n${stdout}\n${stderr}`);
  console.log(`${SAVES} saves, each of another of ${QUERY_FILES} query files; rb's embedded PostgreSQL`);
  console.log(`save -> .queries.ts written: median ${ms(median(latencies))}, 90th percentile ${ms(percentile(latencies, 90))}, fastest ${ms(Math.min(...latencies))}, slowest ${ms(Math.max(...latencies))}`);
  console.log(`samples (ms): ${latencies.map((l) => l.toFixed(0)).join(' ')}`);
  verdict([{ name: 'rb types --watch: save -> file written (median)', value: median(latencies), limit: 300, unit: 'ms' }]);
} finally {
  await project.stop();
}
