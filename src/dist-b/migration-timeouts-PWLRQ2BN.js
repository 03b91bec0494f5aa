import {
  DEFAULT_LOCK_RETRIES,
  DEFAULT_LOCK_TIMEOUT,
  DEFAULT_RETRY_WAIT_MS,
  DEFAULT_STATEMENT_TIMEOUT,
  defaultTimeoutSettings,
  resolveTimeoutSettings,
  urlWithTimeouts
} from "./chunk-LHYBNGSH.js";
import "./chunk-APFTIODY.js";
import "./chunk-ZXLN6B57.js";
import "./chunk-RVO3MYFU.js";
export {
  DEFAULT_LOCK_RETRIES,
  DEFAULT_LOCK_TIMEOUT,
  DEFAULT_RETRY_WAIT_MS,
  DEFAULT_STATEMENT_TIMEOUT,
  defaultTimeoutSettings,
  resolveTimeoutSettings,
  urlWithTimeouts
};
