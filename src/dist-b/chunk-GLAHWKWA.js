// dist/commands/progress-line.js
function progressIntervalMs(env = process.env) {
  const seconds = Number(env.RB_PROGRESS_SECONDS);
  return 1e3 * (seconds > 0 ? seconds : 5);
}
function elapsed(ms) {
  const s = Math.floor(ms / 1e3);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}
function progressLine(prefix, stream = process.stderr, env = process.env) {
  const tty = Boolean(stream.isTTY);
  const started = performance.now();
  let text = "";
  let drawnAt = 0;
  let drawn = false;
  const line = () => `${prefix}${text} (${elapsed(performance.now() - started)})`;
  const draw = () => {
    drawnAt = performance.now();
    const width = (stream.columns || 120) - 1;
    stream.write(`\r\x1B[K${line().slice(0, width)}`);
    drawn = true;
  };
  const timer = setInterval(() => {
    if (!text)
      return;
    if (tty)
      draw();
    else
      stream.write(`${line()}
`);
  }, tty ? 1e3 : progressIntervalMs(env));
  timer.unref();
  return {
    update(next) {
      text = next;
      if (tty && performance.now() - drawnAt >= 100)
        draw();
    },
    done() {
      clearInterval(timer);
      if (drawn)
        stream.write("\r\x1B[K");
    }
  };
}

export {
  progressIntervalMs,
  progressLine
};
