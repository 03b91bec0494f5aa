import {
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/target/database-url.js
var EXPECTED = "expected postgres://user@host:5432/database (password after the user: user:secret@)";
var USERINFO_CHARACTERS = /^[A-Za-z0-9\-._~!$&'()*+,;=:%]*$/;
var PERCENT_ENCODING = /%(?![0-9A-Fa-f]{2})/;
function maskWholeUrl(url) {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0];
  if (!scheme)
    return maskUrl(url);
  const rest = url.slice(scheme.length);
  const at = rest.lastIndexOf("@");
  if (at === -1)
    return maskUrl(url);
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(":");
  const shown = colon === -1 ? userinfo : `${userinfo.slice(0, colon)}:****`;
  return maskUrl(`${scheme}${shown}${rest.slice(at)}`);
}
var LIBPQ_ONLY_PARAMETERS = /* @__PURE__ */ new Set([
  "dbname",
  "host",
  "hostaddr",
  "port",
  "user",
  "passfile",
  "service",
  "target_session_attrs",
  "load_balance_hosts",
  "sslrootcert",
  "sslcert",
  "sslkey",
  "sslcrl",
  "sslcrldir",
  "sslpassword",
  "sslcompression",
  "sslsni",
  "requiressl",
  "ssl_min_protocol_version",
  "ssl_max_protocol_version",
  "channel_binding",
  "gssencmode",
  "gsslib",
  "krbsrvname",
  "requirepeer",
  "tcp_user_timeout",
  "replication",
  "client_encoding"
]);
function parseDatabaseUrl(url, source = "database URL") {
  const shown = maskWholeUrl(url);
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
    if (scheme)
      throw new UsageError(`${source} must start with postgres:// (got ${scheme}://); ${EXPECTED}`);
    throw new UsageError(`${source} is not a valid URL (${shown}); ${EXPECTED}`);
  }
  const rest = url.slice(url.indexOf("://") + 3);
  const userinfo = rest.slice(0, Math.max(0, rest.lastIndexOf("@")));
  if (/\s/.test(url) || !USERINFO_CHARACTERS.test(userinfo) || PERCENT_ENCODING.test(userinfo)) {
    throw new UsageError(`${source} (${shown}) holds a character a URL cannot carry as it is, most likely in the password; percent-encode it (@ as %40, / as %2F, ? as %3F, # as %23, % as %25, a space as %20, non-ASCII letters as their UTF-8 bytes: encodeURIComponent in Node does it)`);
  }
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${source} is not a valid URL (${shown}); ${EXPECTED}`);
  }
  const unsupported = [...parsed.searchParams.keys()].filter((key) => LIBPQ_ONLY_PARAMETERS.has(key) || key.startsWith("keepalives"));
  if (unsupported.length) {
    throw new UsageError(`${source} (${shown}) has the parameter${unsupported.length > 1 ? "s" : ""} ${unsupported.join(", ")}, which rb's client (postgres.js) does not read; remove it from the URL (rb reads sslmode, application_name, connect_timeout and server settings such as search_path)`);
  }
  if (parsed.searchParams.has("password")) {
    throw new UsageError(`${source} (${shown}) passes the password as a query parameter, which postgres.js does not read; put it after the user name, percent-encoded (user:secret@host)`);
  }
  let database;
  try {
    database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  } catch {
    throw new UsageError(`${source} (${shown}) has a database name with a bad percent-encoding; write "%" as %25`);
  }
  if (!database) {
    throw new UsageError(`${source} names no database (${shown}); add it after the host, as in postgres://user@host:5432/mydb`);
  }
  return {
    host: parsed.hostname || "localhost",
    port: parsed.port ? Number(parsed.port) : 5432,
    database,
    user: decodeURIComponent(parsed.username) || "postgres"
  };
}
function maskUrl(text) {
  return text.replace(/(postgres(?:ql)?:\/\/)([^\s?#]*)@/gi, (match, scheme, userinfo) => {
    const colon = userinfo.indexOf(":");
    if (colon === -1)
      return match;
    return `${scheme}${userinfo.slice(0, colon)}:${colon === userinfo.length - 1 ? "" : "****"}@`;
  }).replace(/(password=)(?!\*{4})('[^']*'|[^\s&]*)/gi, (_m, key, value) => value ? `${key}****` : key);
}
function describeUrl(url) {
  const p = parseDatabaseUrl(url);
  return `${p.user}@${p.host}:${p.port}/${p.database}`;
}
function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export {
  parseDatabaseUrl,
  maskUrl,
  describeUrl,
  withDatabase
};
