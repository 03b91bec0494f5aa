/**
 * Progress of a long command on stderr: on a terminal one line redrawn in place (at most ten times
 * a second), otherwise (CI logs, pipes) a plain line every RB_PROGRESS_SECONDS seconds (default 5).
 * stdout stays for results (--json included).
 */
export interface ProgressLine {
  /** The current state, e.g. "round-trip: migration 3 of 40 (…)"; shown with the elapsed time. */
  update(text: string): void;
  /** Prints a line of its own (on a terminal above the progress line, which is drawn again). */
  note(line: string): void;
  /** Clears the terminal line (or prints nothing more); call before printing results. */
  done(): void;
}

export function progressIntervalMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.RB_PROGRESS_SECONDS);
  return 1000 * (seconds > 0 ? seconds : 5);
}

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function progressLine(prefix: string, stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): ProgressLine {
  const tty = Boolean(stream.isTTY);
  const started = performance.now();
  let text = '';
  let drawnAt = 0;
  let drawn = false;
  const line = () => `${prefix}${text} (${elapsed(performance.now() - started)})`;
  const draw = () => {
    drawnAt = performance.now();
    const width = (stream.columns || 120) - 1;
    stream.write(`\r\x1b[K${line().slice(0, width)}`);
    drawn = true;
  };
  const timer = setInterval(() => {
    if (!text) return;
    if (tty) draw();
    else stream.write(`${line()}\n`);
  }, tty ? 1000 : progressIntervalMs(env));
  timer.unref();
  return {
    update(next) {
      text = next;
      if (tty && performance.now() - drawnAt >= 100) draw();
    },
    note(message) {
      stream.write(`${drawn ? '\r\x1b[K' : ''}${message}\n`);
      if (drawn) draw();
    },
    done() {
      clearInterval(timer);
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
