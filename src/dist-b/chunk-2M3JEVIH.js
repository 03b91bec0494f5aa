import {
  trackChild
} from "./chunk-NMHWLE4Q.js";

// dist/process.js
import { spawn } from "node:child_process";
function runProcess(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === void 0 ? "ignore" : "pipe", "pipe", "pipe"],
      signal: options.signal,
      killSignal: "SIGTERM"
    });
    const forget = trackChild(child);
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => stdout += chunk);
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
      options.onStderr?.(chunk);
    });
    child.on("error", (error) => {
      forget();
      if (error.name === "AbortError")
        return;
      reject(error);
    });
    child.on("close", (code, signal) => {
      forget();
      resolve({ code, signal, stdout, stderr, ok: code === 0 && signal === null });
    });
    if (options.input !== void 0 && child.stdin) {
      child.stdin.on("error", () => {
      });
      child.stdin.end(options.input);
    }
  });
}

export {
  runProcess
};
