import type { IDatabaseConnection } from './prepared-query.ts';
import type postgres from 'postgres';
import { RuntimeError } from './runtime-error.ts';

/** Anything postgres.js can run a query on: the pool, a `sql.begin` transaction, a reserved connection. */
export type Queryable = postgres.Sql | postgres.TransactionSql | postgres.ReservedSql;

/** Array type OIDs for the element types postgres.js cannot leave to the server. */
const ARRAY_OID = { bool: 1000, bytea: 1001, int8: 1016 } as const;

/**
 * postgres.js infers array element types from the values; arrays of boolean/bigint/Buffer must be
 * wrapped with sql.array, but string arrays must not be (that forces text[] and breaks uuid[]
 * comparisons). See field notes §3. The array type is named explicitly: sql.array alone looks it
 * up in a map filled when the first connection fetches types, so a fresh client's first query
 * would declare `boolean` for a `boolean[]` parameter.
 * A Date would be declared timestamptz by postgres.js and converted to a timestamp or date column
 * in the session's time zone; sent as its ISO text it takes the column's type from the query, so a
 * timestamp column gets its UTC wall time and a date column its UTC day, whatever the zone.
 */
function convertBinding(sql: Queryable, value: unknown): unknown {
  if (value === undefined) return null; // postgres.js throws on undefined; pgtyped optional params may be undefined
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value) && value.length > 0 && value.every((v) => v === null || typeof v !== 'string')) {
    const sample = value.find((v) => v !== null);
    if (sample instanceof Date) return value.map((v) => (v instanceof Date ? v.toISOString() : v));
    const arrayOid = typeof sample === 'boolean' ? ARRAY_OID.bool
      : typeof sample === 'bigint' ? ARRAY_OID.int8
      : Buffer.isBuffer(sample) ? ARRAY_OID.bytea
      : undefined;
    if (arrayOid) return sql.array(value as never, arrayOid);
  }
  return value;
}

/** Thrown before anything is sent when a spread parameter (`ids -> (...)`) got an empty array. */
export class EmptySpreadError extends RuntimeError {
  constructor(fragment: string) {
    super(
      `a spread parameter got an empty array, which would send "${fragment}" (a syntax error in PostgreSQL); ` +
        'check for an empty list before running the query (rb generates spread parameters as non-empty tuples)',
    );
  }
}

// pgtyped expands `:ids` with `ids -> (...)` to `($1,$2,...)` and an empty array to `()`.
// `IN ()` and `VALUES ()` are always syntax errors, so finding one is safe to refuse.
const EMPTY_SPREAD = /\b(in|values)\s*\(\s*\)/i;

/** Removes string literals, quoted identifiers and comments so only SQL syntax is searched. */
function sqlSyntaxOnly(text: string): string {
  return text.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\//g, ' ');
}

/**
 * pgtyped's IDatabaseConnection over postgres.js, so a generated query runs as
 * `query.run(params, db(sql))` on the pool, inside sql.begin(...) or on a reserved connection.
 */
export function db(sql: Queryable): IDatabaseConnection {
  return {
    async query(text: string, bindings: unknown[]) {
      const empty = EMPTY_SPREAD.exec(sqlSyntaxOnly(text));
      if (empty) throw new EmptySpreadError(empty[0]);
      const rows = await sql.unsafe(text, bindings.map((value) => convertBinding(sql, value)) as postgres.ParameterOrJSON<never>[]);
      // An UPDATE without RETURNING has no rows but a count.
      return { rows: [...rows], rowCount: rows.count ?? rows.length };
    },
  };
}
