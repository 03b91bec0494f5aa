import postgres from 'postgres';
import { RuntimeError } from "./runtime-error.js";
import { postgresTypes, searchPath } from "./type-choices.js";
/**
 * The postgres.js client application code uses with the generated queries: rb's type choices
 * (type-choices.ts, the same ones `rb types` writes into queries/*.queries.ts) and
 * search_path = app, public so unqualified table names resolve as they did at generation.
 * The URL defaults to DATABASE_URL.
 */
export function createClient(url = process.env.DATABASE_URL, options = {}) {
    if (!url) {
        throw new RuntimeError('createClient needs a database URL: pass one or set DATABASE_URL (postgres://user:password@host:5432/database)');
    }
    const { schemas = ['app'], connection, ...rest } = options;
    const sql = postgres(url, {
        ...rest,
        types: postgresTypes,
        connection: { search_path: searchPath(schemas), ...connection },
    });
    // The custom types only change parsers; the generic type parameter is irrelevant to callers.
    return sql;
}
