// dist/interrupt.js
var children = /* @__PURE__ */ new Set();
var scopes = /* @__PURE__ */ new Set();
var received = 0;
var installed = false;
function exitCodeFor(signal) {
  return signal === "SIGTERM" ? 143 : 130;
}
function stopSignalOf(signal) {
  return signal.reason === "SIGTERM" ? "SIGTERM" : "SIGINT";
}
function endChildren(signal = "SIGTERM") {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null)
      child.kill(signal);
  }
}
function trackChild(child) {
  children.add(child);
  if (received > 0)
    child.kill("SIGTERM");
  return () => children.delete(child);
}
function installSignalHandlers(onUnhandled) {
  if (installed)
    return;
  installed = true;
  const handle = (signal) => {
    received += 1;
    endChildren("SIGTERM");
    if (scopes.size === 0)
      return onUnhandled(signal);
    let handled = true;
    for (const scope of scopes) {
      if (!scope.first.signal.aborted)
        scope.first.abort(signal);
      else {
        scope.second.abort(signal);
        handled &&= scope.handlesNow;
      }
    }
    if (!handled)
      onUnhandled(signal);
  };
  process.on("SIGINT", () => handle("SIGINT"));
  process.on("SIGTERM", () => handle("SIGTERM"));
  process.on("exit", () => endChildren("SIGTERM"));
}
async function interruptible(work, options = {}) {
  const scope = { first: new AbortController(), second: new AbortController(), handlesNow: Boolean(options.handlesNow) };
  scopes.add(scope);
  try {
    return await work({ signal: scope.first.signal, now: scope.second.signal });
  } finally {
    scopes.delete(scope);
  }
}
async function cancelBackend(url, pid) {
  const { withClient } = await import("./client-RX6BGETB.js");
  await withClient(url, (sql) => sql`select pg_cancel_backend(${pid})`);
}
async function terminateBackend(url, pid, waitMs = 5e3) {
  const { withClient } = await import("./client-RX6BGETB.js");
  await withClient(url, async (sql) => {
    await sql`select pg_terminate_backend(${pid})`;
    for (const started = Date.now(); Date.now() - started < waitMs; await new Promise((r) => setTimeout(r, 20))) {
      const [row] = await sql`select not exists(select 1 from pg_stat_activity where pid = ${pid}) as gone`;
      if (row.gone)
        return;
    }
  });
}

export {
  exitCodeFor,
  stopSignalOf,
  trackChild,
  installSignalHandlers,
  interruptible,
  cancelBackend,
  terminateBackend
};
