// dist/types/watch-types.js
import { existsSync, watch } from "node:fs";
import path from "node:path";
var DEBOUNCE_MS = 50;
async function watchAndRun(options) {
  let running = false;
  let again = false;
  let timer;
  const trigger = async () => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await options.run();
        reconcile();
      } while (again);
    } finally {
      running = false;
    }
  };
  const watchers = /* @__PURE__ */ new Map();
  const reconcile = () => {
    const wanted = new Set(options.paths().filter((target) => existsSync(target)));
    for (const [target, watcher] of watchers) {
      if (wanted.has(target))
        continue;
      watcher.close();
      watchers.delete(target);
    }
    for (const target of wanted) {
      if (watchers.has(target))
        continue;
      watchers.set(target, watch(target, { recursive: true }, (_event, name) => {
        const file = name ? path.join(target, name.toString()) : target;
        if (options.ignore(file))
          return;
        clearTimeout(timer);
        timer = setTimeout(() => void trigger(), options.debounceMs ?? DEBOUNCE_MS);
      }));
    }
  };
  await trigger();
  await new Promise((resolve) => {
    if (options.signal?.aborted)
      return resolve();
    options.signal?.addEventListener("abort", () => resolve(), { once: true });
  });
  clearTimeout(timer);
  for (const watcher of watchers.values())
    watcher.close();
}
export {
  watchAndRun
};
