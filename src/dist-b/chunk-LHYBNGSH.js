import {
  durationProblem,
  isDuration
} from "./chunk-APFTIODY.js";
import {
  parseDotenv
} from "./chunk-ZXLN6B57.js";
import {
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/migrations/migration-timeouts.js
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
var DEFAULT_LOCK_TIMEOUT = "5s";
var DEFAULT_STATEMENT_TIMEOUT = "1h";
var DEFAULT_LOCK_RETRIES = 3;
var DEFAULT_RETRY_WAIT_MS = 1e3;
function checkDuration(value, where, name) {
  if (!isDuration(value))
    throw new UsageError(`${where}: ${durationProblem(value, name)}`);
  return value;
}
function resolveTimeoutSettings(projectDir, flags, env = process.env) {
  const dotenvFile = path.join(projectDir, ".env");
  const dotenv = existsSync(dotenvFile) ? parseDotenv(readFileSync(dotenvFile, "utf8")) : {};
  const lookup = (name) => (env[name] ?? dotenv[name]) || void 0;
  const lockTimeout = flags.lockTimeout !== void 0 ? checkDuration(String(flags.lockTimeout), "--lock-timeout", "lock timeout") : void 0;
  const statementTimeout = flags.statementTimeout !== void 0 ? checkDuration(String(flags.statementTimeout), "--statement-timeout", "statement timeout") : void 0;
  const envLock = lookup("RB_LOCK_TIMEOUT");
  const envStatement = lookup("RB_STATEMENT_TIMEOUT");
  const envRetries = lookup("RB_LOCK_RETRIES");
  if (envRetries !== void 0 && !/^\d+$/.test(envRetries)) {
    throw new UsageError(`RB_LOCK_RETRIES=${envRetries} is not a whole number; set it to how many times to retry a lock timeout (e.g. 3)`);
  }
  return {
    lockTimeout: lockTimeout ?? (envLock !== void 0 ? checkDuration(envLock, "RB_LOCK_TIMEOUT", "lock timeout") : void 0),
    statementTimeout: statementTimeout ?? (envStatement !== void 0 ? checkDuration(envStatement, "RB_STATEMENT_TIMEOUT", "statement timeout") : void 0),
    lockRetries: envRetries !== void 0 ? Number(envRetries) : DEFAULT_LOCK_RETRIES,
    retryWaitMs: DEFAULT_RETRY_WAIT_MS
  };
}
function urlWithTimeouts(url, settings, file = {}) {
  const parsed = new URL(url);
  const pick = (param, fromFile, fromSettings, fallback) => {
    const value = fromFile ?? fromSettings ?? parsed.searchParams.get(param) ?? fallback;
    if (value !== void 0 && value !== null)
      parsed.searchParams.set(param, value);
  };
  pick("lock_timeout", file.lockTimeout, settings.lockTimeout, DEFAULT_LOCK_TIMEOUT);
  pick("statement_timeout", file.statementTimeout, settings.statementTimeout, DEFAULT_STATEMENT_TIMEOUT);
  return parsed.toString();
}
function defaultTimeoutSettings() {
  return { lockRetries: DEFAULT_LOCK_RETRIES, retryWaitMs: DEFAULT_RETRY_WAIT_MS };
}

export {
  DEFAULT_LOCK_TIMEOUT,
  DEFAULT_STATEMENT_TIMEOUT,
  DEFAULT_LOCK_RETRIES,
  DEFAULT_RETRY_WAIT_MS,
  resolveTimeoutSettings,
  urlWithTimeouts,
  defaultTimeoutSettings
};
