// @rbsql/runtime: what application code, generated query files and backfill scripts import.
// It never imports the toolkit (@rbsql/cli); the toolkit imports it, so the type choices have one source.
export { createClient, postgresWithTypeChoices, type ClientOptions, type PostgresOptions } from './create-client.ts';
export { db, EmptySpreadError, type Queryable } from './pgtyped-adapter.ts';
export { RuntimeError } from './runtime-error.ts';
// Where createClient() finds the database and schemas without arguments (the toolkit shares these through '@rbsql/runtime/project').
export { defaultDatabaseUrl, projectSchemas, DEFAULT_SCHEMAS } from './default-connection.ts';
export { findProjectRoot } from './project.ts';
export {
  batchedBackfill, isBatchedBackfill,
  type Backfill, type BackfillContext, type BackfillCounts, type BackfillLogger,
  type BatchedBackfill, type BatchedBackfillOptions, type BatchContext, type BatchResult,
} from './backfill-types.ts';
// What `rb types` writes into queries/*.queries.ts imports (pgtyped's class, see prepared-query.ts),
// so an app lists only rb's packages: under pnpm an app can import only its own dependencies.
export { PreparedQuery, type ICursor, type IDatabaseConnection } from './prepared-query.ts';
// The type choices: the toolkit writes the pgtyped half into generated files, createClient uses the
// postgres.js half (type-choices.ts).
export { postgresTypes, rbTypesOverrides, searchPath, TYPE_CHOICES_VERSION, type PgtypedOverride } from './type-choices.ts';
