import type { IDatabaseConnection } from './prepared-query.ts';
import type postgres from 'postgres';
import { RuntimeError } from './runtime-error.ts';
/** Anything postgres.js can run a query on: the pool, a `sql.begin` transaction, a reserved connection. */
export type Queryable = postgres.Sql | postgres.TransactionSql | postgres.ReservedSql;
/** Thrown before anything is sent when a spread parameter (`ids -> (...)`) got an empty array. */
export declare class EmptySpreadError extends RuntimeError {
    constructor(fragment: string);
}
/**
 * pgtyped's IDatabaseConnection over postgres.js, so a generated query runs as
 * `query.run(params, db(sql))` on the pool, inside sql.begin(...) or on a reserved connection.
 */
export declare function db(sql: Queryable): IDatabaseConnection;
