"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.TYPE_CHOICES_VERSION = exports.searchPath = exports.rbTypesOverrides = exports.postgresTypes = exports.PreparedQuery = exports.isBatchedBackfill = exports.batchedBackfill = exports.RuntimeError = exports.EmptySpreadError = exports.db = exports.postgresWithTypeChoices = exports.createClient = void 0;
// @rbsql/runtime: what application code, generated query files and backfill scripts import.
// It never imports the toolkit (@rbsql/cli); the toolkit imports it, so the type choices have one source.
var create_client_ts_1 = require("./create-client.js");
Object.defineProperty(exports, "createClient", { enumerable: true, get: function () { return create_client_ts_1.createClient; } });
Object.defineProperty(exports, "postgresWithTypeChoices", { enumerable: true, get: function () { return create_client_ts_1.postgresWithTypeChoices; } });
var pgtyped_adapter_ts_1 = require("./pgtyped-adapter.js");
Object.defineProperty(exports, "db", { enumerable: true, get: function () { return pgtyped_adapter_ts_1.db; } });
Object.defineProperty(exports, "EmptySpreadError", { enumerable: true, get: function () { return pgtyped_adapter_ts_1.EmptySpreadError; } });
var runtime_error_ts_1 = require("./runtime-error.js");
Object.defineProperty(exports, "RuntimeError", { enumerable: true, get: function () { return runtime_error_ts_1.RuntimeError; } });
var backfill_types_ts_1 = require("./backfill-types.js");
Object.defineProperty(exports, "batchedBackfill", { enumerable: true, get: function () { return backfill_types_ts_1.batchedBackfill; } });
Object.defineProperty(exports, "isBatchedBackfill", { enumerable: true, get: function () { return backfill_types_ts_1.isBatchedBackfill; } });
// What `rb types` writes into queries/*.queries.ts imports (pgtyped's class, see prepared-query.ts),
// so an app lists only rb's packages: under pnpm an app can import only its own dependencies.
var prepared_query_ts_1 = require("./prepared-query.js");
Object.defineProperty(exports, "PreparedQuery", { enumerable: true, get: function () { return prepared_query_ts_1.PreparedQuery; } });
// The type choices: the toolkit writes the pgtyped half into generated files, createClient uses the
// postgres.js half (type-choices.ts).
var type_choices_ts_1 = require("./type-choices.js");
Object.defineProperty(exports, "postgresTypes", { enumerable: true, get: function () { return type_choices_ts_1.postgresTypes; } });
Object.defineProperty(exports, "rbTypesOverrides", { enumerable: true, get: function () { return type_choices_ts_1.rbTypesOverrides; } });
Object.defineProperty(exports, "searchPath", { enumerable: true, get: function () { return type_choices_ts_1.searchPath; } });
Object.defineProperty(exports, "TYPE_CHOICES_VERSION", { enumerable: true, get: function () { return type_choices_ts_1.TYPE_CHOICES_VERSION; } });
