import postgres from 'postgres';
export interface ClientOptions extends Omit<postgres.Options<{}>, 'types'> {
    /** Application schemas, first one leads the search_path (default ['app'], as rb's config). */
    schemas?: string[];
}
/**
 * The postgres.js client application code uses with the generated queries: rb's type choices
 * (type-choices.ts, the same ones `rb types` writes into queries/*.queries.ts) and
 * search_path = app, public so unqualified table names resolve as they did at generation.
 * The URL defaults to DATABASE_URL.
 */
export declare function createClient(url?: string | undefined, options?: ClientOptions): postgres.Sql;
