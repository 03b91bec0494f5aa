"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.createClient = createClient;
const postgres_1 = __importDefault(require("postgres"));
const runtime_error_ts_1 = require("./runtime-error.js");
const type_choices_ts_1 = require("./type-choices.js");
/**
 * The postgres.js client application code uses with the generated queries: rb's type choices
 * (type-choices.ts, the same ones `rb types` writes into queries/*.queries.ts) and
 * search_path = app, public so unqualified table names resolve as they did at generation.
 * The URL defaults to DATABASE_URL.
 */
function createClient(url = process.env.DATABASE_URL, options = {}) {
    if (!url) {
        throw new runtime_error_ts_1.RuntimeError('createClient needs a database URL: pass one or set DATABASE_URL (postgres://user:password@host:5432/database)');
    }
    const { schemas = ['app'], connection, ...rest } = options;
    const sql = (0, postgres_1.default)(url, {
        ...rest,
        types: type_choices_ts_1.postgresTypes,
        connection: { search_path: (0, type_choices_ts_1.searchPath)(schemas), ...connection },
    });
    // The custom types only change parsers; the generic type parameter is irrelevant to callers.
    return sql;
}
