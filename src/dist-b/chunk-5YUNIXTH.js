import {
  asConnectionError,
  connect,
  connectionFailureReason,
  withClient
} from "./chunk-EKB3CR5R.js";
import {
  maskUrl,
  parseDatabaseUrl
} from "./chunk-ZES4J75L.js";

// dist/target/server-identity.js
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import os from "node:os";
var PRODUCTION_CONNECT_TIMEOUT = 5;
async function queryIdentity(sql) {
  const [row] = await sql`
    select current_database() as database, d.oid::text as oid,
           extract(epoch from pg_postmaster_start_time())::text as started,
           has_function_privilege('pg_catalog.pg_control_system()', 'execute') as control
      from pg_database d where d.datname = current_database()`;
  const identity = { database: row.database, databaseOid: row.oid, started: row.started };
  if (row.control) {
    const [control] = await sql`select system_identifier::text as id from pg_control_system()`;
    identity.systemIdentifier = control.id;
  }
  return identity;
}
async function ask(url, connectTimeout) {
  const sql = connect(url, { connectTimeout });
  try {
    return { identity: await queryIdentity(sql) };
  } catch (error) {
    const reason = unreachableReason(error);
    if (reason === void 0)
      throw error;
    return { reason, error };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
function sameServerProcess(a, b) {
  if (a.started !== b.started)
    return false;
  return a.systemIdentifier === void 0 || b.systemIdentifier === void 0 || a.systemIdentifier === b.systemIdentifier;
}
function sameServer(a, b) {
  return a.databaseOid === b.databaseOid && sameServerProcess(a, b);
}
async function onSameServer(url, otherUrl) {
  const [a, b] = await Promise.all([url, otherUrl].map((u) => withClient(u, queryIdentity)));
  return sameServerProcess(a, b);
}
function describeIdentity(identity) {
  const started = new Date(Number(identity.started) * 1e3).toISOString();
  const system = identity.systemIdentifier ? `system identifier ${identity.systemIdentifier}, ` : "";
  return `${system}up since ${started}, database "${identity.database}", oid ${identity.databaseOid}`;
}
var THIS_MACHINE = "this machine";
function localAddresses() {
  const addresses = /* @__PURE__ */ new Set();
  for (const list of Object.values(os.networkInterfaces()))
    for (const entry of list ?? [])
      addresses.add(entry.address);
  return addresses;
}
function isLoopback(address) {
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}
async function addressesOf(host, local) {
  if (host.startsWith("/"))
    return /* @__PURE__ */ new Set([THIS_MACHINE]);
  const name = host.replace(/^\[|\]$/g, "");
  let addresses;
  try {
    addresses = isIP(name) ? [name] : (await lookup(name, { all: true })).map((entry) => entry.address);
  } catch {
    return /* @__PURE__ */ new Set([`name ${name.toLowerCase()}`]);
  }
  return new Set(addresses.map((address) => isLoopback(address) || local.has(address) ? THIS_MACHINE : address));
}
async function sameAddress(a, b) {
  if (a.port !== b.port || a.database !== b.database)
    return false;
  const local = localAddresses();
  const [x, y] = await Promise.all([addressesOf(a.host, local), addressesOf(b.host, local)]);
  return [...x].some((address) => y.has(address));
}
function unreachableReason(error) {
  const reason = connectionFailureReason(error);
  if (reason !== void 0)
    return reason;
  const e = error;
  if (typeof e?.code === "string")
    return maskUrl(e.message ?? e.code);
  return void 0;
}
async function matchProduction(url, productionUrl) {
  const [target, prod] = await Promise.all([ask(url, 10), ask(productionUrl, PRODUCTION_CONNECT_TIMEOUT)]);
  if ("identity" in target && "identity" in prod) {
    const same2 = sameServer(target.identity, prod.identity);
    return {
      isProduction: same2,
      basis: "server",
      reason: same2 ? `the same server and database as PROD_DATABASE_URL (${describeIdentity(target.identity)})` : `another server or database than PROD_DATABASE_URL (${describeIdentity(target.identity)}; production: ${describeIdentity(prod.identity)})`
    };
  }
  if ("reason" in target && "identity" in prod && target.error.code === "3D000") {
    return { isProduction: false, basis: "server", reason: `its database does not exist yet, and PROD_DATABASE_URL's does (${describeIdentity(prod.identity)})` };
  }
  const a = parseDatabaseUrl(url);
  const same = await sameAddress(a, parseDatabaseUrl(productionUrl));
  const where = `the same address, port ${a.port} and database "${a.database}"`;
  if ("reason" in target) {
    if (!same)
      throw asConnectionError(target.error, url);
    return { isProduction: true, basis: "address", unreachable: target.reason, reason: `it did not answer (${target.reason}), and it resolves to ${where} as PROD_DATABASE_URL` };
  }
  const unreachable = "reason" in prod ? prod.reason : "";
  return {
    isProduction: same,
    basis: "address",
    unreachable,
    reason: same ? `PROD_DATABASE_URL did not answer (${unreachable}), and both URLs resolve to ${where}` : `PROD_DATABASE_URL did not answer (${unreachable}); by address, port and database name it is another database`
  };
}

export {
  onSameServer,
  matchProduction
};
