/**
 * How long `rb --help` takes next to `node -e 0` (target: at most 1.5x) and the dbmate binary's
 * `--help`, measured in one run: RB_BENCH_REPS (default 21) interleaved rounds of the three,
 * medians compared (with and without NODE_EXTRA_CA_CERTS, see support/bench.ts). `rb --help` loads the entry point and the command table (cac), nothing a
 * command needs. Exits 1 when the target is missed (see support/bench.ts on the environments).
 *   node --import tsx scripts/bench/cli-startup.ts
 */
import { resolveBinary } from 'dbmate';
import { benchEnv, environments, expectOutput, inEnvironments, interleaved, median, ms, rbBin, repetitions, verdict, type Target } from './support/bench.ts';
import { repoRoot } from '../../test/support/databases.ts';

const reps = repetitions(21);
const envs = environments(benchEnv());
const samples = interleaved(inEnvironments([
  { label: 'node', command: process.execPath, args: ['-e', '0'] },
  { label: 'dbmate', command: resolveBinary(), args: ['--help'] },
  { label: 'rb', command: process.execPath, args: [rbBin, '--help'], check: expectOutput('rb upgrade') },
], envs), reps, repoRoot);
const targets: Target[] = [];
for (const { key, name } of envs) {
  const [node, dbmate, rb] = ['node', 'dbmate', 'rb'].map((label) => median(samples.get(`${key} ${label}`)!));
  console.log(`${name}: medians of ${reps} interleaved runs each`);
  console.log(`  node -e 0       ${ms(node)}`);
  console.log(`  dbmate --help   ${ms(dbmate)} (the Go binary)`);
  console.log(`  rb --help       ${ms(rb)}, ${ms(rb - node)} above node: ${(rb / node).toFixed(2)}x node, ${(rb / dbmate).toFixed(1)}x dbmate`);
  if (key === 'given') targets.push({ name: 'rb --help / node -e 0', value: rb / node, limit: 1.5, unit: 'x' });
}
verdict(targets);
