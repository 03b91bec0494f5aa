import {
  RbError
} from "./chunk-RVO3MYFU.js";

// dist/local-db/server-lock.js
import { mkdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
var STALE_MS = 12e4;
async function withServerLock(root, work) {
  mkdirSync(path.dirname(root), { recursive: true });
  const lock = `${root}.lock`;
  const deadline = Date.now() + STALE_MS;
  for (; ; ) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== "EEXIST")
        throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_MS)
          rmSync(lock, { recursive: true, force: true });
      } catch {
      }
      if (Date.now() > deadline)
        throw new RbError(`timed out waiting for ${lock}; remove it if no rb command is running`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
export {
  withServerLock
};
