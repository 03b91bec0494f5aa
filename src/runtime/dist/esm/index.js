// @rbsql/runtime: what application code, generated query files and backfill scripts import.
// It never imports the toolkit (@rbsql/cli); the toolkit imports it, so the type choices have one source.
export { createClient, postgresWithTypeChoices } from "./create-client.js";
export { db, EmptySpreadError } from "./pgtyped-adapter.js";
export { RuntimeError } from "./runtime-error.js";
// Where createClient() finds the database and schemas without arguments (the toolkit shares these through '@rbsql/runtime/project').
export { defaultDatabaseUrl, projectSchemas, DEFAULT_SCHEMAS } from "./default-connection.js";
export { findProjectRoot } from "./project.js";
export { batchedBackfill, isBatchedBackfill, } from "./backfill-types.js";
// What `rb types` writes into queries/*.queries.ts imports (pgtyped's class, see prepared-query.ts),
// so an app lists only rb's packages: under pnpm an app can import only its own dependencies.
export { PreparedQuery } from "./prepared-query.js";
// The type choices: the toolkit writes the pgtyped half into generated files, createClient uses the
// postgres.js half (type-choices.ts).
export { postgresTypes, rbTypesOverrides, searchPath, TYPE_CHOICES_VERSION } from "./type-choices.js";
