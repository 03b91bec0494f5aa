import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from './databases.ts';
import { tempDir } from './temp.ts';

/** A throwaway project directory with db/migrations, as a team's repository would have (removed at exit). */
export function tempProject(migrations: Record<string, string> = {}): string {
  const dir = tempDir('project-');
  mkdirSync(path.join(dir, 'db', 'migrations'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'rb-test-project', private: true }, null, 2));
  for (const [name, text] of Object.entries(migrations)) writeFileSync(path.join(dir, 'db', 'migrations', name), text);
  return dir;
}

export function migration(up: string, down: string): string {
  return `-- migrate:up\n${up}\n\n-- migrate:down\n${down}\n`;
}

export interface RbRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RbOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
  input?: string;
}

/** The toolkit's executable, as node_modules/.bin/rb links to it (it runs the compiled dist/). */
export const rbBin = path.join(repoRoot, 'src', 'bin', 'rb.js');

/**
 * What a backfill script in a temporary project imports instead of '@rbsql/runtime' (it has no
 * node_modules): the built runtime package's entry, by absolute path.
 */
export const runtimeEntry = path.join(repoRoot, 'src', 'runtime', 'dist', 'esm', 'index.js');

/** A running rb process: signal it through `child`, read its output so far, await its end. */
export interface StartedRb {
  child: ChildProcess;
  done: Promise<RbRun>;
  stdout(): string;
  stderr(): string;
  /** Resolves once stderr holds the text (rejects if rb ends first). */
  waitForStderr(text: string): Promise<void>;
  /** Resolves once `pattern` has matched `count` times in the stream (rejects if rb ends first, or after `ms`). */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, count?: number, ms?: number): Promise<void>;
  /** The exit code once rb has ended; undefined while it runs. */
  exited(): number | null | undefined;
}

/** Starts the real rb binary (as runRb does) and hands back the child, so a test can signal or kill it mid-run. */
export function startRb(args: string[], options: RbOptions): StartedRb {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) if (process.env[key]) env[key] = process.env[key]!;
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  const child = spawn(process.execPath, [rbBin, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.end(options.input ?? '');
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    for (const w of waiters.filter((x) => stderr.includes(x.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  let exited: number | null | undefined;
  const done = new Promise<RbRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      exited = code;
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    child,
    done,
    stdout: () => stdout,
    stderr: () => stderr,
    waitForStderr: (text) =>
      new Promise<void>((resolve, reject) => {
        if (stderr.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void done.then((run) => reject(new Error(`rb ended (code ${run.code}, signal ${run.signal}) before printing "${text}":\n${run.stderr}`)));
      }),
    async waitFor(stream, pattern, count = 1, ms = 60_000) {
      const text = () => (stream === 'stdout' ? stdout : stderr);
      const deadline = Date.now() + ms;
      while ((text().match(new RegExp(pattern, 'g')) ?? []).length < count) {
        if (exited !== undefined) throw new Error(`rb exited (${exited}) before ${stream} matched ${pattern}:\n${stdout}\n${stderr}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern} on ${stream}:\n${stdout}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    exited: () => exited,
  };
}

/** Runs the real rb binary to its end (see startRb). */
export function runRb(args: string[], options: RbOptions): Promise<RbRun> {
  return startRb(args, options).done;
}
