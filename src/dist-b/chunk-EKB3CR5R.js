import {
  maskUrl
} from "./chunk-ZES4J75L.js";
import {
  loadConfig
} from "./chunk-ZXLN6B57.js";
import {
  ConnectionError,
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/client.js
import postgres from "postgres";

// dist/local-db/refused-hint.js
import { readLocalServerRecord } from "@rbsql/runtime/project";
var LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/i;
function localServerRefusedHint(url) {
  let host;
  let port;
  try {
    const parsed = new URL(url);
    host = parsed.hostname;
    port = Number(parsed.port || 5432);
  } catch {
    return void 0;
  }
  if (!LOOPBACK.test(host))
    return void 0;
  try {
    const { local } = loadConfig();
    const recorded = local.recordFile ? readLocalServerRecord(local.recordFile)?.port : void 0;
    if (port !== local.port && port !== recorded)
      return void 0;
  } catch {
    return void 0;
  }
  return `rb's local PostgreSQL (port ${port}) is not running: start it with rb db start`;
}

// dist/client.js
function connectOptions(url, options = {}) {
  return {
    database: databaseOf(url),
    ...ipv6Host(url),
    max: options.max ?? 1,
    connect_timeout: options.connectTimeout ?? 10,
    onnotice: () => {
    },
    connection: { application_name: "rb", ...options.connection },
    onclose: options.onclose
  };
}
function connect(url, options = {}) {
  return postgres(url, connectOptions(url, options));
}
function databaseOf(url) {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1)) || void 0;
  } catch {
    return void 0;
  }
}
function ipv6Host(url) {
  try {
    const { hostname, port } = new URL(url);
    if (!hostname.startsWith("["))
      return {};
    return { host: [hostname.slice(1, -1)], port: [port ? Number(port) : 5432] };
  } catch {
    return {};
  }
}
var CONNECTION_CODES = /* @__PURE__ */ new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ECONNRESET",
  "EHOSTUNREACH",
  "CONNECT_TIMEOUT",
  "28P01",
  "28000",
  "3D000",
  "57P03"
]);
var REASONS = {
  ECONNREFUSED: "connection refused (is the server running?)",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  ETIMEDOUT: "connection timed out",
  CONNECT_TIMEOUT: "connection timed out",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  "28P01": "password authentication failed",
  "28000": "authentication rejected",
  "3D000": "database does not exist",
  "57P03": "the server is starting up or shutting down"
};
function connectionFailureReason(error) {
  const e = error;
  const code = e?.code ?? e?.errors?.[0]?.code;
  if (!code || !CONNECTION_CODES.has(code))
    return void 0;
  return REASONS[code] ?? e.message;
}
function urlParameters(url) {
  try {
    return [...new URL(url).searchParams.keys()];
  } catch {
    return [];
  }
}
var LOST_CODES = /* @__PURE__ */ new Set(["CONNECTION_CLOSED", "CONNECTION_DESTROYED", "57P01", "57P02"]);
function asConnectionError(error, url) {
  const e = error;
  const code = e?.code ?? e?.errors?.[0]?.code;
  if (code && LOST_CODES.has(code)) {
    return new ConnectionError(`lost the connection to ${maskUrl(url)} (${code === "CONNECTION_CLOSED" || code === "CONNECTION_DESTROYED" ? "the server closed it" : e.message}; did the server restart?); run the command again once the server is reachable`);
  }
  const setting = code === "42704" ? /unrecognized configuration parameter "([^"]+)"/.exec(e.message ?? "")?.[1] : void 0;
  if (setting !== void 0 && urlParameters(url).includes(setting)) {
    return new UsageError(`${maskUrl(url)}: the server has no setting "${setting}", which rb's client sends it as one (postgres.js passes unknown URL parameters to the server); remove ${setting} from the URL`);
  }
  const reason = connectionFailureReason(error);
  if (reason === void 0)
    return error;
  const hint = code === "ECONNREFUSED" ? localServerRefusedHint(url) : void 0;
  if (hint)
    return new ConnectionError(`cannot connect to ${maskUrl(url)}: connection refused; ${hint}`);
  if (code === "3D000") {
    return new ConnectionError(`cannot connect to ${maskUrl(url)}: database does not exist; check the database name in the URL (rb upgrade creates a missing database, except production's)`);
  }
  return new ConnectionError(`cannot connect to ${maskUrl(url)}: ${reason}; check the URL and that the server is reachable`);
}
var LOSS_REASONS = {
  "57P01": "the server ended the session (a restart, a shutdown or pg_terminate_backend)",
  "57P02": "the server crashed and ended every session",
  "57P03": "the server is starting up or shutting down",
  CONNECTION_CLOSED: "the server or the network closed the connection (a restart, a crash, pg_terminate_backend)",
  CONNECTION_DESTROYED: "the connection was closed",
  ECONNRESET: "the connection was reset",
  EPIPE: "the connection was closed",
  ECONNREFUSED: "the server refused a new connection (is it restarting?)",
  ETIMEDOUT: "the connection timed out",
  CONNECT_TIMEOUT: "a new connection timed out"
};
function connectionLossReason(error) {
  const code = error?.code;
  if (typeof code !== "string")
    return void 0;
  if (LOSS_REASONS[code])
    return `${LOSS_REASONS[code]}${/^\d/.test(code) ? ` (SQLSTATE ${code})` : ""}`;
  if (code.startsWith("08"))
    return `the connection failed (SQLSTATE ${code}: ${error.message})`;
  return void 0;
}
var offered = /* @__PURE__ */ new Map();
var OFFER_MS = 1e3;
function offerClient(url, sql) {
  const previous = offered.get(url);
  if (previous)
    void previous.end({ timeout: 1 });
  offered.set(url, sql);
  setTimeout(() => {
    if (offered.get(url) !== sql)
      return;
    offered.delete(url);
    void sql.end({ timeout: 1 });
  }, OFFER_MS).unref();
}
function takeOffered(url, options) {
  if (Object.keys(options).length > 0)
    return void 0;
  const sql = offered.get(url);
  offered.delete(url);
  return sql;
}
async function withClient(url, work, options = {}) {
  const sql = takeOffered(url, options) ?? connect(url, options);
  try {
    return await work(sql);
  } catch (error) {
    throw asConnectionError(error, url);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export {
  connectOptions,
  connect,
  connectionFailureReason,
  asConnectionError,
  connectionLossReason,
  offerClient,
  withClient
};
