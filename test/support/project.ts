import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { repoRoot } from './databases.ts';

/** A throwaway project directory with db/migrations, as a team's repository would have. */
export function tempProject(migrations: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-project-'));
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

const rbBin = path.join(repoRoot, 'bin', 'rb.mjs');

/** Runs the real rb binary as a user would, with a clean environment (no stray DATABASE_URL). */
export function runRb(args: string[], options: RbOptions): Promise<RbRun> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) if (process.env[key]) env[key] = process.env[key]!;
  for (const [key, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[key] = value;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [rbBin, ...args], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
