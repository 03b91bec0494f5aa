/**
 * The tables rb, dbmate and other migration tools keep in an application's database, in one
 * place: db/schema.sql filtering, restores, status, baselines, imports, backfill checkpoints and
 * rb check all read these lists.
 *
 * dbmate's tracking table is always `public.schema_migrations`, qualified: dbmate creates and
 * writes it unqualified by default, so a database- or role-level search_path (or a migration's own
 * `SET search_path`) would move it to another schema (field notes §8).
 */
export interface TableName {
  schema: string;
  name: string;
}

/** dbmate's tracking table: one row per applied version. */
export const DBMATE_TABLE: TableName = { schema: 'public', name: 'schema_migrations' };

/** rb's checksums and failed transaction:false records (src/migrations/rb-migrations-table.ts). */
export const RB_MIGRATIONS_TABLE: TableName = { schema: 'public', name: 'rb_migrations' };

/** Batched backfill checkpoints (src/backfill/checkpoint.ts). */
export const RB_CHECKPOINTS_TABLE: TableName = { schema: 'public', name: 'rb_backfill_checkpoints' };

/** rb's own bookkeeping: never part of the application's schema or data. */
export const RB_OWN_TABLES: readonly TableName[] = [RB_MIGRATIONS_TABLE, RB_CHECKPOINTS_TABLE];

/** Every table the migration tooling keeps (dbmate's and rb's). */
export const TOOLING_TABLES: readonly TableName[] = [DBMATE_TABLE, ...RB_OWN_TABLES];

/**
 * Another migration tool's tracking table. Each of these tools lets a project choose the schema
 * (Flyway's first schema, Prisma's `?schema=`, node-pg-migrate's --migrations-schema,
 * golang-migrate's search_path), so they are known by name in any schema.
 */
export interface OtherToolTable {
  name: string;
  /** "Flyway", for messages ("Flyway's tracking table"). */
  tool: string;
  /** The `rb import <importer>` that converts this tool's history (src/adopt/import-history.ts). */
  importer?: 'golang-migrate' | 'flyway' | 'prisma' | 'node-pg-migrate';
}

/**
 * Where `rb import golang-migrate` moves golang-migrate's `schema_migrations` (version bigint,
 * dirty boolean) when it sits where dbmate's table must be (public.schema_migrations).
 */
export const GOLANG_MIGRATE_MOVED_TABLE: TableName = { schema: 'public', name: 'schema_migrations_golang_migrate' };

export const OTHER_TOOL_TABLES: readonly OtherToolTable[] = [
  { name: 'flyway_schema_history', tool: 'Flyway', importer: 'flyway' },
  { name: '_prisma_migrations', tool: 'Prisma Migrate', importer: 'prisma' },
  { name: 'pgmigrations', tool: 'node-pg-migrate', importer: 'node-pg-migrate' },
  // Outside public: golang-migrate's (or another tool's); public.schema_migrations is dbmate's.
  { name: 'schema_migrations', tool: 'golang-migrate', importer: 'golang-migrate' },
  { name: GOLANG_MIGRATE_MOVED_TABLE.name, tool: 'golang-migrate (moved aside by rb import)' },
  { name: 'alembic_version', tool: 'Alembic' },
  { name: 'goose_db_version', tool: 'goose' },
  { name: 'knex_migrations', tool: 'Knex' },
  { name: 'knex_migrations_lock', tool: 'Knex' },
  { name: 'SequelizeMeta', tool: 'Sequelize' },
  { name: 'ar_internal_metadata', tool: 'Rails' },
  { name: 'databasechangelog', tool: 'Liquibase' },
  { name: 'databasechangeloglock', tool: 'Liquibase' },
  { name: 'django_migrations', tool: 'Django' },
  { name: '__diesel_schema_migrations', tool: 'Diesel' },
  { name: '_sqlx_migrations', tool: 'sqlx' },
  { name: 'gorp_migrations', tool: 'sql-migrate' },
];

export type ImporterName = NonNullable<OtherToolTable['importer']>;

/** The tracking table `rb import <importer>` reads, and the tool's name for messages. */
export function importedTable(importer: ImporterName): { name: string; tool: string; importer: ImporterName } {
  const table = OTHER_TOOL_TABLES.find((t) => t.importer === importer)!;
  return { name: table.name, tool: table.tool, importer };
}

/** The other tool whose tracking table schema.name is, if any (public.schema_migrations is dbmate's). */
export function otherToolTable(schema: string, name: string): OtherToolTable | undefined {
  if (schema === DBMATE_TABLE.schema && name === DBMATE_TABLE.name) return undefined;
  return OTHER_TOOL_TABLES.find((t) => t.name === name);
}

/** "public.schema_migrations" (these names need no quoting). */
export function qualified(table: TableName): string {
  return `${table.schema}.${table.name}`;
}

export function isRbOwnTable(schema: string, name: string): boolean {
  return RB_OWN_TABLES.some((t) => t.schema === schema && t.name === name);
}

/** dbmate's, rb's or another migration tool's table: history and bookkeeping, not application data. */
export function isToolingTable(schema: string, name: string): boolean {
  return TOOLING_TABLES.some((t) => t.schema === schema && t.name === name) || otherToolTable(schema, name) !== undefined;
}
