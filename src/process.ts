import { spawn } from 'node:child_process';
import { trackChild } from './interrupt.ts';

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** true only when the process exited by itself with code 0 (a signal is a failure). */
  ok: boolean;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Called with each chunk of stderr as it arrives (progress output). */
  onStderr?: (chunk: string) => void;
  /** Aborting ends the process (SIGTERM). */
  signal?: AbortSignal;
}

/**
 * Runs a program to completion and collects its output. Every external tool rb drives
 * (dbmate, pgtyped, pg_dump, squawk, initdb, pg_ctl) goes through here, so each one ends with rb
 * on Ctrl-C / SIGTERM (src/interrupt.ts).
 */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      signal: options.signal,
      killSignal: 'SIGTERM',
    });
    const forget = trackChild(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      options.onStderr?.(chunk);
    });
    child.on('error', (error) => {
      forget();
      // An abort is reported as the signal it sent, like any other stop.
      if ((error as { name?: string }).name === 'AbortError') return;
      reject(error);
    });
    child.on('close', (code, signal) => {
      forget();
      resolve({ code, signal, stdout, stderr, ok: code === 0 && signal === null });
    });
    if (options.input !== undefined && child.stdin) {
      // A child that exits without reading its input must not crash rb with EPIPE.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }
  });
}
