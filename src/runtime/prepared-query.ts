import { PreparedQuery as PgtypedPreparedQuery } from '@pgtyped/runtime';

/**
 * What generated query files (queries/*.queries.ts) import: pgtyped's PreparedQuery, run by
 * pgtyped's own code, with its types declared here. @pgtyped/runtime's declarations reach
 * antlr4ts's, which do not compile under `exactOptionalPropertyTypes` without `skipLibCheck`; an
 * app that imports only this package never loads them. The members mirror @pgtyped/runtime 2.4.
 */

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

/** A query from a .sql file: `await getUser.run({ id }, db(sql))`. */
export class PreparedQuery<TParamType, TResultType> {
  readonly run: (params: TParamType, dbConnection: IDatabaseConnection) => Promise<TResultType[]>;
  readonly runWithCounts: (params: TParamType, dbConnection: IDatabaseConnection) => Promise<{ result: TResultType[]; rowCount: number }>;
  readonly stream: (params: TParamType, dbConnection: IDatabaseConnection) => ICursor<TResultType[]>;

  /** `queryIR` is the intermediate form pgtyped writes into the generated file. */
  constructor(queryIR: unknown) {
    const query = new PgtypedPreparedQuery<TParamType, TResultType>(queryIR as ConstructorParameters<typeof PgtypedPreparedQuery>[0]);
    this.run = (params, connection) => query.run(params, connection);
    this.runWithCounts = (params, connection) => query.runWithCounts(params, connection);
    this.stream = (params, connection) => query.stream(params, connection);
  }
}
