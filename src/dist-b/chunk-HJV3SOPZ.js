import {
  withClient
} from "./chunk-EKB3CR5R.js";
import {
  parseDatabaseUrl,
  withDatabase
} from "./chunk-ZES4J75L.js";
import {
  ConnectionError,
  RbError
} from "./chunk-RVO3MYFU.js";

// dist/local-db/ensure-database.js
async function ensureDatabase(adminUrl, database) {
  return withClient(adminUrl, async (sql) => {
    const [row] = await sql`select exists(select 1 from pg_database where datname = ${database}) as exists`;
    if (row.exists)
      return false;
    try {
      await sql.unsafe(`create database ${quoteIdent(database)}`);
    } catch (error) {
      if (error.code !== "42P04")
        throw error;
      return false;
    }
    return true;
  });
}
function quoteIdent(name) {
  return `"${name.replace(/"/g, '""')}"`;
}
async function ensureUrlDatabase(url) {
  try {
    await withClient(url, (sql) => sql`select 1`);
    return false;
  } catch (error) {
    if (error.code !== "3D000" && !(error instanceof ConnectionError && error.message.includes("database does not exist"))) {
      throw error;
    }
  }
  return ensureDatabase(withDatabase(url, "postgres"), parseDatabaseUrl(url).database);
}
async function recreateDatabase(sql, name, purpose) {
  try {
    await sql.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
    await sql.unsafe(`create database ${quoteIdent(name)}`);
  } catch (error) {
    const e = error;
    if (e.code === "42501") {
      throw new RbError(`${purpose} needs to create the database ${name} but the role in the URL may not (${e.message}); grant it CREATEDB or point DATABASE_URL at a server where it may`);
    }
    throw error;
  }
}

export {
  ensureDatabase,
  quoteIdent,
  ensureUrlDatabase,
  recreateDatabase
};
