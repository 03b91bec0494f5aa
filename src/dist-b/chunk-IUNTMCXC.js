// dist/rb-tables.js
var DBMATE_TABLE = { schema: "public", name: "schema_migrations" };
var RB_MIGRATIONS_TABLE = { schema: "public", name: "rb_migrations" };
var RB_CHECKPOINTS_TABLE = { schema: "public", name: "rb_backfill_checkpoints" };
var RB_OWN_TABLES = [RB_MIGRATIONS_TABLE, RB_CHECKPOINTS_TABLE];
var TOOLING_TABLES = [DBMATE_TABLE, ...RB_OWN_TABLES];
var GOLANG_MIGRATE_MOVED_TABLE = { schema: "public", name: "schema_migrations_golang_migrate" };
var OTHER_TOOL_TABLES = [
  { name: "flyway_schema_history", tool: "Flyway", importer: "flyway" },
  { name: "_prisma_migrations", tool: "Prisma Migrate", importer: "prisma" },
  { name: "pgmigrations", tool: "node-pg-migrate", importer: "node-pg-migrate" },
  // Outside public: golang-migrate's (or another tool's); public.schema_migrations is dbmate's.
  { name: "schema_migrations", tool: "golang-migrate", importer: "golang-migrate" },
  { name: GOLANG_MIGRATE_MOVED_TABLE.name, tool: "golang-migrate (moved aside by rb import)" },
  { name: "alembic_version", tool: "Alembic" },
  { name: "goose_db_version", tool: "goose" },
  { name: "knex_migrations", tool: "Knex" },
  { name: "knex_migrations_lock", tool: "Knex" },
  { name: "SequelizeMeta", tool: "Sequelize" },
  { name: "ar_internal_metadata", tool: "Rails" },
  { name: "databasechangelog", tool: "Liquibase" },
  { name: "databasechangeloglock", tool: "Liquibase" },
  { name: "django_migrations", tool: "Django" },
  { name: "__diesel_schema_migrations", tool: "Diesel" },
  { name: "_sqlx_migrations", tool: "sqlx" },
  { name: "gorp_migrations", tool: "sql-migrate" }
];
function otherToolTable(schema, name) {
  if (schema === DBMATE_TABLE.schema && name === DBMATE_TABLE.name)
    return void 0;
  return OTHER_TOOL_TABLES.find((t) => t.name === name);
}
function qualified(table) {
  return `${table.schema}.${table.name}`;
}
function isRbOwnTable(schema, name) {
  return RB_OWN_TABLES.some((t) => t.schema === schema && t.name === name);
}
function isToolingTable(schema, name) {
  return TOOLING_TABLES.some((t) => t.schema === schema && t.name === name) || otherToolTable(schema, name) !== void 0;
}

export {
  DBMATE_TABLE,
  RB_MIGRATIONS_TABLE,
  RB_CHECKPOINTS_TABLE,
  RB_OWN_TABLES,
  TOOLING_TABLES,
  GOLANG_MIGRATE_MOVED_TABLE,
  otherToolTable,
  qualified,
  isRbOwnTable,
  isToolingTable
};
