import type { Confirm } from './target/prod-guard.ts';

/** How commands talk to the person: plain lines out, diagnostics to stderr, a confirm prompt. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  confirm: Confirm;
}

/** Asks on the terminal; without a TTY on stdin there is nobody to ask (null). */
export const terminalConfirm: Confirm = async (summary, expected) => {
  process.stderr.write(`${summary}\n`);
  if (!process.stdin.isTTY) return null;
  const { createInterface } = await import('node:readline'); // only here: loading it costs every command a few ms
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await new Promise<string>((resolve) => rl.question(`Type the database name (${expected}) to continue: `, resolve));
  } finally {
    rl.close();
  }
};

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  confirm: terminalConfirm,
};

/**
 * A reader that exits early (`rb status | head -1`, `| true`) closes the pipe: the next write fails
 * with EPIPE, which Node emits as an 'error' event that would end rb with a stack trace, before it
 * cleans up (a scratch database left behind). As git and npm do, rb goes on with its work and its
 * output is discarded, and exits with the command's own code. Other stream errors stay errors.
 */
export function discardOutputOnClosedPipe(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  }
}
