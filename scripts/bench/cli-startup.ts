/**
 * How long `rb --help` takes next to `node -e 0` and `dbmate --help`, measured in one run.
 * Prints the median of N runs of each and the ratios. Usage: node --import tsx scripts/bench/cli-startup.ts [runs]
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveBinary } from 'dbmate';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runs = Number(process.argv[2] ?? 15);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(command: string, args: string[]): number {
  const samples: number[] = [];
  spawnSync(command, args, { cwd: root }); // warm-up (tsx compiles and caches on first use)
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: root, stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}`);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

const node = time(process.execPath, ['-e', '0']);
const dbmate = time(resolveBinary(), ['--help']);
const rb = time(process.execPath, [path.join(root, 'src', 'bin', 'rb.js'), '--help']);
console.log(`median of ${runs} runs each`);
console.log(`node -e 0       ${node.toFixed(0)} ms`);
console.log(`dbmate --help   ${dbmate.toFixed(0)} ms`);
console.log(`rb --help       ${rb.toFixed(0)} ms`);
console.log(`rb/node ratio   ${(rb / node).toFixed(1)}x`);
console.log(`rb/dbmate ratio ${(rb / dbmate).toFixed(1)}x`);
