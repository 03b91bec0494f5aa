export { createClient, postgresWithTypeChoices, type ClientOptions, type PostgresOptions } from './create-client.ts';
export { db, EmptySpreadError, type Queryable } from './pgtyped-adapter.ts';
export { RuntimeError } from './runtime-error.ts';
export { defaultDatabaseUrl, projectSchemas, DEFAULT_SCHEMAS } from './default-connection.ts';
export { findProjectRoot } from './project.ts';
export { batchedBackfill, isBatchedBackfill, type Backfill, type BackfillContext, type BackfillCounts, type BackfillLogger, type BatchedBackfill, type BatchedBackfillOptions, type BatchContext, type BatchResult, } from './backfill-types.ts';
export { PreparedQuery, type ICursor, type IDatabaseConnection } from './prepared-query.ts';
export { postgresTypes, rbTypesOverrides, searchPath, TYPE_CHOICES_VERSION, type PgtypedOverride } from './type-choices.ts';
