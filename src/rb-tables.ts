/**
 * The tables rb and dbmate keep in an application's database, in one place: db/schema.sql
 * filtering, restores, status, backfill checkpoints and rb check all read this list.
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

/** "public.schema_migrations" (these names need no quoting). */
export function qualified(table: TableName): string {
  return `${table.schema}.${table.name}`;
}

export function isRbOwnTable(schema: string, name: string): boolean {
  return RB_OWN_TABLES.some((t) => t.schema === schema && t.name === name);
}

export function isToolingTable(schema: string, name: string): boolean {
  return TOOLING_TABLES.some((t) => t.schema === schema && t.name === name);
}

/**
 * Tracking tables of other migration tools, by name in any schema: a project that came to rb from
 * Flyway, Liquibase, goose, node-pg-migrate, Knex, Prisma, Alembic, Django, Rails, Diesel, sqlx,
 * sql-migrate or Sequelize may still have one. They are not the application's schema (rb drift
 * does not report them). golang-migrate's and Rails' `schema_migrations` is dbmate's name.
 */
export const OTHER_TOOLS_TABLE_NAMES: readonly string[] = [
  'flyway_schema_history', 'databasechangelog', 'databasechangeloglock', 'goose_db_version', 'pgmigrations',
  'knex_migrations', 'knex_migrations_lock', '_prisma_migrations', 'alembic_version', 'django_migrations',
  'ar_internal_metadata', '__diesel_schema_migrations', '_sqlx_migrations', 'gorp_migrations', 'SequelizeMeta',
];

export function isOtherToolTable(name: string): boolean {
  return OTHER_TOOLS_TABLE_NAMES.includes(name);
}
