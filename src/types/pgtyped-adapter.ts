import type { IDatabaseConnection } from '@pgtyped/runtime';
import type postgres from 'postgres';

/** Anything postgres.js can run a query on: the pool, a `sql.begin` transaction, a reserved connection. */
export type Queryable = postgres.Sql | postgres.TransactionSql | postgres.ReservedSql;

/**
 * postgres.js infers array element types from the values; arrays of Date/boolean/bigint/Buffer
 * must be wrapped with sql.array, but string arrays must not be (that forces text[] and breaks
 * uuid[] comparisons). See field notes §3.
 */
function convertBinding(sql: Queryable, value: unknown): unknown {
  if (value === undefined) return null; // postgres.js throws on undefined; pgtyped optional params may be undefined
  if (Array.isArray(value) && value.length > 0 && value.every((v) => v === null || typeof v !== 'string')) {
    const sample = value.find((v) => v !== null);
    if (sample instanceof Date || typeof sample === 'boolean' || typeof sample === 'bigint' || Buffer.isBuffer(sample)) {
      return sql.array(value as never);
    }
  }
  return value;
}

/**
 * pgtyped's IDatabaseConnection over postgres.js, so a generated query runs as
 * `query.run(params, db(sql))` on the pool, inside sql.begin(...) or on a reserved connection.
 */
export function db(sql: Queryable): IDatabaseConnection {
  return {
    async query(text: string, bindings: unknown[]) {
      const rows = await sql.unsafe(text, bindings.map((value) => convertBinding(sql, value)) as postgres.ParameterOrJSON<never>[]);
      // An UPDATE without RETURNING has no rows but a count.
      return { rows: [...rows], rowCount: rows.count ?? rows.length };
    },
  };
}
