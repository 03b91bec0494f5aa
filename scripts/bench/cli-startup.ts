/**
 * How long `rb --help` takes next to `node -e 0` (target: at most 1.5x) and the dbmate binary's
 * `--help`, measured in one run: RB_BENCH_REPS (default 21) interleaved rounds of the three,
 * medians compared. `rb --help` loads the entry point and the command table (cac), nothing a
 * command needs. Exits 1 when the target is missed (see support/bench.ts on the environments).
 *   node --import tsx scripts/bench/cli-startup.ts
 */
import { resolveBinary } from 'dbmate';
import { benchEnv, environments, expectOutput, interleaved, median, ms, rbBin, repetitions, verdict, type Target } from './support/bench.ts';
import { repoRoot } from '../../test/support/databases.ts';

const reps = repetitions(21);
const targets: Target[] = [];
for (const [index, { name, env }] of environments(benchEnv()).entries()) {
  const samples = interleaved([
    { label: 'node', command: process.execPath, args: ['-e', '0'] },
    { label: 'dbmate', command: resolveBinary(), args: ['--help'] },
    { label: 'rb', command: process.execPath, args: [rbBin, '--help'], check: expectOutput('rb upgrade') },
  ], reps, repoRoot, env);
  const [node, dbmate, rb] = ['node', 'dbmate', 'rb'].map((label) => median(samples.get(label)!));
  console.log(`${name}: medians of ${reps} interleaved runs each`);
  console.log(`  node -e 0       ${ms(node)}`);
  console.log(`  dbmate --help   ${ms(dbmate)} (the Go binary)`);
  console.log(`  rb --help       ${ms(rb)}, ${ms(rb - node)} above node: ${(rb / node).toFixed(2)}x node, ${(rb / dbmate).toFixed(1)}x dbmate`);
  if (index === 0) targets.push({ name: 'rb --help / node -e 0', value: rb / node, limit: 1.5, unit: 'x' });
}
verdict(targets);
