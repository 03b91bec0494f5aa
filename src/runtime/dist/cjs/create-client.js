"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.postgresWithTypeChoices = postgresWithTypeChoices;
exports.createClient = createClient;
const postgres_1 = __importDefault(require("postgres"));
const runtime_error_ts_1 = require("./runtime-error.js");
const type_choices_ts_1 = require("./type-choices.js");
/**
 * A postgres.js client with rb's type choices (type-choices.ts, the same ones `rb types`
 * writes into queries/*.queries.ts). Every client rb hands to user code is built here:
 * createClient for applications, and the connection of `rb run-script` for backfill scripts, so a
 * `date` is the same string and a `point` the same [x, y] wherever a query runs.
 */
function postgresWithTypeChoices(url, options = {}) {
    const sql = (0, postgres_1.default)(url, { ...options, types: type_choices_ts_1.postgresTypes });
    // The custom types only change parsers; the generic type parameter is irrelevant to callers.
    return sql;
}
/**
 * The postgres.js client application code uses with the generated queries: rb's type choices
 * and search_path = app, public so unqualified table names resolve as they did at generation.
 * The URL defaults to DATABASE_URL.
 */
function createClient(url = process.env['DATABASE_URL'], options = {}) {
    if (!url) {
        throw new runtime_error_ts_1.RuntimeError('createClient needs a database URL: pass one or set DATABASE_URL (postgres://user:password@host:5432/database)');
    }
    const { schemas = ['app'], connection, ...rest } = options;
    return postgresWithTypeChoices(url, { ...rest, connection: { search_path: (0, type_choices_ts_1.searchPath)(schemas), ...connection } });
}
