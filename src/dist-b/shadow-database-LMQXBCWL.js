import {
  quoteIdent,
  recreateDatabase
} from "./chunk-HJV3SOPZ.js";
import {
  withClient
} from "./chunk-EKB3CR5R.js";
import {
  parseDatabaseUrl,
  withDatabase
} from "./chunk-ZES4J75L.js";
import {
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import {
  RbError
} from "./chunk-RVO3MYFU.js";

// dist/types/shadow-database.js
import { searchPath } from "@rbsql/runtime/type-choices";
function shadowName(serverUrl) {
  return `${parseDatabaseUrl(serverUrl).database}_rb_shadow`.slice(0, 63);
}
var MARK = "rb shadow database, migrations hash ";
async function ensureShadowDatabase(options) {
  const name = shadowName(options.serverUrl);
  const url = withDatabase(options.serverUrl, name);
  const rebuilt = await withClient(options.serverUrl, async (sql) => {
    await sql`select pg_advisory_lock(hashtext(${`rb-shadow:${name}`}))`;
    const [row] = await sql`
      select shobj_description(oid, 'pg_database') as comment from pg_database where datname = ${name}`;
    if (row && row.comment === `${MARK}${options.hash}`)
      return false;
    const [{ listMigrations, readMigrations }, { describeFailure, failureError, runMigrations }] = await Promise.all([
      import("./migration-directory-RDBR2YGW.js"),
      import("./run-migrations-KR5QZAZA.js")
    ]);
    const files = readMigrations(options.migrationsDir, listMigrations(options.migrationsDir), options.projectDir);
    await recreateDatabase(sql, name, "rb types (its shadow database)");
    const run = await runMigrations(url, files, "migrate", { replayToLocate: true });
    if (run.stopped)
      throw new RbError(`dbmate was stopped by ${run.stopped.signal}`);
    if (run.failure) {
      await sql.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
      const failure = describeFailure(run.failure, (p) => relativeToProject(options, p));
      throw failureError(run.failure, `building the shadow database ${name} from the migrations failed${run.failure.file ? " at" : ":"} ${failure}; fix the migration and run rb types again`);
    }
    await sql.unsafe(`alter database ${quoteIdent(name)} set search_path = ${searchPath(options.schemas)}`);
    await sql.unsafe(`comment on database ${quoteIdent(name)} is '${MARK}${options.hash}'`);
    return true;
  });
  return { url, name, rebuilt };
}
export {
  ensureShadowDatabase,
  shadowName
};
