/**
 * What generated query files (queries/*.queries.ts) import: pgtyped's PreparedQuery, run by
 * pgtyped's own code (@pgtyped/runtime), with its types declared here.
 * - Declared here: @pgtyped/runtime's declarations reach antlr4ts's, which do not compile under
 *   `exactOptionalPropertyTypes` without `skipLibCheck`; an app that imports only this package
 *   never loads them. The members mirror @pgtyped/runtime 2.4.
 * - Loaded with import() on first use: @pgtyped/runtime's CommonJS bundle requires antlr4ts,
 *   which it does not declare, so under isolated installs (pnpm, npm --install-strategy=linked)
 *   anything that `require`s it fails (tsx loading a CommonJS backfill turns static imports into
 *   requires); its ES module build imports only declared dependencies. It also keeps pgtyped's
 *   SQL parser (~180 ms to load) out of an app's start-up.
 */
import type { PreparedQuery as PgtypedPreparedQuery } from '@pgtyped/runtime';

/**
 * The connection a query runs on; rb's `db(sql)` adapts postgres.js to it. `any` as in pgtyped's
 * own declaration, so code written against @pgtyped/runtime compiles unchanged.
 */
export interface IDatabaseConnection {
  query: (query: string, bindings: any[]) => Promise<{ rows: any[]; rowCount: number }>;
  stream?: (query: string, bindings: any[]) => ICursor<any[]>;
}

export interface ICursor<T> {
  read(rowCount: number): Promise<T>;
  close(): Promise<void>;
}

let pgtyped: Promise<typeof import('@pgtyped/runtime')> | undefined;
const loadPgtyped = () => (pgtyped ??= import('@pgtyped/runtime'));

/** A query from a .sql file: `await getUser.run({ id }, db(sql))`. */
export class PreparedQuery<TParamType, TResultType> {
  readonly run: (params: TParamType, dbConnection: IDatabaseConnection) => Promise<TResultType[]>;
  readonly runWithCounts: (params: TParamType, dbConnection: IDatabaseConnection) => Promise<{ result: TResultType[]; rowCount: number }>;
  readonly stream: (params: TParamType, dbConnection: IDatabaseConnection) => ICursor<TResultType[]>;

  /** `queryIR` is the intermediate form pgtyped writes into the generated file. */
  constructor(queryIR: unknown) {
    let query: Promise<PgtypedPreparedQuery<TParamType, TResultType>> | undefined;
    const pgtypedQuery = () =>
      (query ??= loadPgtyped().then((lib) => new lib.PreparedQuery<TParamType, TResultType>(queryIR as ConstructorParameters<typeof lib.PreparedQuery>[0])));
    this.run = async (params, connection) => (await pgtypedQuery()).run(params, connection);
    this.runWithCounts = async (params, connection) => (await pgtypedQuery()).runWithCounts(params, connection);
    this.stream = (params, connection) => {
      const cursor = pgtypedQuery().then((q) => q.stream(params, connection));
      return {
        read: async (rowCount) => (await cursor).read(rowCount),
        close: async () => (await cursor).close(),
      };
    };
  }
}
