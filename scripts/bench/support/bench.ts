/**
 * What the speed benchmarks in scripts/bench/ share: timing a command, interleaved repetitions,
 * medians, a project with rb's own embedded server, and the verdict (exit 1 when a target is missed).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { localServerUrl, startLocalServer, stopLocalServer } from '../../../src/local-db/embedded-server.ts';
import { repoRoot } from '../../../test/support/databases.ts';
import { freePort } from '../../../test/support/server.ts';
import { onTestExit, tempDir } from '../../../test/support/temp.ts';

/** The rb measured: this repository's build, or another's (RB_BENCH_BIN=<checkout>/src/bin/rb.js, to compare builds). */
export const rbBin = process.env.RB_BENCH_BIN ?? path.join(repoRoot, 'src', 'bin', 'rb.js');

/** Repetitions of each measured command (RB_BENCH_REPS overrides). */
export function repetitions(fallback: number): number {
  const value = Number(process.env.RB_BENCH_REPS ?? fallback);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The nearest-rank percentile (p in 0..100). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * The environment the measured commands run in: this process's, as a person's shell would pass it,
 * without what changes which database rb uses (DATABASE_URL, PROD_DATABASE_URL, PG*, RB_*).
 */
export function benchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(DATABASE_URL|PROD_DATABASE_URL|TEST_DATABASE_URL|PG[A-Z]+|RB_[A-Z_]+)$/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

/**
 * The environments a speed benchmark reports: the one given and, when NODE_EXTRA_CA_CERTS is set
 * (as on this project's machines), the same without it. Node reads that certificate file at every
 * start (~40 ms here), which makes `node -e 0` slower and every ratio against it smaller; the
 * verdict is on the environment given (where the figures were taken), the other is printed
 * beside it so nobody mistakes one for the other. Both are measured in the same rounds.
 */
export function environments(env: NodeJS.ProcessEnv): { key: string; name: string; env: NodeJS.ProcessEnv }[] {
  if (!env.NODE_EXTRA_CA_CERTS) return [{ key: 'given', name: 'this environment', env }];
  const { NODE_EXTRA_CA_CERTS: _ignored, ...without } = env;
  return [
    { key: 'given', name: 'this environment (NODE_EXTRA_CA_CERTS set)', env },
    { key: 'plain', name: 'without NODE_EXTRA_CA_CERTS', env: without },
  ];
}

/** `commands` once per environment, labelled `<key> <label>`, to measure in the same rounds. */
export function inEnvironments(commands: Measured[], envs: ReturnType<typeof environments>): Measured[] {
  return envs.flatMap(({ key, env }) => commands.map((m) => ({ ...m, label: `${key} ${m.label}`, env: { ...env, ...m.env } })));
}

export interface Measured {
  label: string;
  command: string;
  args: string[];
  /** Added to (or replacing) the environment of the run. */
  env?: NodeJS.ProcessEnv;
  /** Runs before each timed run, untimed (e.g. editing a file). */
  before?: () => void;
  /** Throws when a run did not do what it should (checked on its output, untimed). */
  check?: (stdout: string) => void;
}

/** A check that a run's output holds `pattern` (a run that printed something else did other work). */
export function expectOutput(pattern: RegExp | string): (stdout: string) => void {
  return (stdout) => {
    if (typeof pattern === 'string' ? !stdout.includes(pattern) : !pattern.test(stdout)) throw new Error(`expected ${pattern} in the output:\n${stdout}`);
  };
}

/** Wall time of one run, from spawn to exit (what a person at a shell waits), in milliseconds. */
export function timeRun(m: Measured, cwd: string, env?: NodeJS.ProcessEnv): number {
  m.before?.();
  const start = process.hrtime.bigint();
  const result = spawnSync(m.command, m.args, { cwd, env: m.env ?? env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${m.label} exited ${result.status}:\n${result.stdout}${result.stderr}`);
  m.check?.(result.stdout);
  return ms;
}

/**
 * Each command once untimed (warm file cache), then `reps` rounds that run every command once in
 * turn, so a busy moment of the shared machine hits all of them alike. Returns the samples by label.
 */
export function interleaved(commands: Measured[], reps: number, cwd: string, env?: NodeJS.ProcessEnv): Map<string, number[]> {
  for (const m of commands) timeRun(m, cwd, env);
  const samples = new Map(commands.map((m) => [m.label, [] as number[]]));
  for (let i = 0; i < reps; i += 1) for (const m of commands) samples.get(m.label)!.push(timeRun(m, cwd, env));
  return samples;
}

export const ms = (value: number) => `${value.toFixed(0)} ms`;

/** One target: a ratio (or a time) and its limit, an upper one unless `atLeast`. */
export interface Target {
  name: string;
  value: number;
  limit: number;
  unit: 'x' | 'ms';
  atLeast?: boolean;
}

/** Prints each target as met or missed; exits 1 (with the figures above) when one is missed. */
export function verdict(targets: Target[]): void {
  const missedOne = (t: Target) => (t.atLeast ? t.value < t.limit : t.value > t.limit);
  for (const t of targets) {
    const [shown, limit] = [t.value, t.limit].map((v) => (t.unit === 'x' ? `${v.toFixed(2)}x` : ms(v)));
    console.log(`${missedOne(t) ? 'MISSED' : 'met   '}  ${t.name}: ${shown} (target ${t.atLeast ? '>=' : '<='} ${limit})`);
  }
  if (targets.some(missedOne)) process.exitCode = 1;
}

export interface BenchProject {
  dir: string;
  /** The environment rb needs to use this project's embedded server (RB_LOCAL_PORT). */
  env: NodeJS.ProcessEnv;
  /** URL of the project's database on the embedded server, password included. */
  url: string;
  stop(): Promise<void>;
}

/**
 * A temporary project (db/migrations, package.json) with rb's own embedded PostgreSQL under its
 * .rb/postgres, started by the toolkit's code with the settings `rb db start` gives users, on a
 * free port. Removed (server stopped) at exit, however the process ends.
 */
export async function projectWithEmbeddedServer(migrations: Record<string, string>): Promise<BenchProject> {
  const dir = tempDir('bench-');
  chmodSync(dir, 0o755); // under root the server runs as "postgres", which must reach .rb/postgres
  mkdirSync(path.join(dir, 'db', 'migrations'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"name":"rb-bench","private":true}\n');
  for (const [name, text] of Object.entries(migrations)) writeFileSync(path.join(dir, 'db', 'migrations', name), text);
  const settings = { port: await freePort(), database: 'development', dataDir: path.join(dir, '.rb', 'postgres') };
  onTestExit(() => {
    // An interrupted run: stop the server at once (SIGQUIT), as the test servers are.
    const pidFile = path.join(settings.dataDir, 'data', 'postmaster.pid');
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGQUIT');
      } catch {
        // already gone
      }
    }
  });
  await startLocalServer(settings);
  return {
    dir,
    env: benchEnv({ RB_LOCAL_PORT: String(settings.port) }),
    url: localServerUrl(settings, settings.database),
    stop: async () => void (await stopLocalServer(settings)),
  };
}

export function migration(up: string, down: string): string {
  return `-- migrate:up\n${up}\n\n-- migrate:down\n${down}\n`;
}
