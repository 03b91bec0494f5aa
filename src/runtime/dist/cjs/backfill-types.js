"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.batchedBackfill = batchedBackfill;
exports.isBatchedBackfill = isBatchedBackfill;
const BATCHED = Symbol.for('rb.batchedBackfill');
/**
 * Declares a backfill that walks `table` by key in batches, each batch in its own transaction,
 * with a checkpoint saved in the database after every batch (a rerun resumes).
 */
function batchedBackfill(options) {
    return { ...options, [BATCHED]: true };
}
/** Symbol.for, not instanceof: the script may load its own copy of rb's modules. */
function isBatchedBackfill(value) {
    return typeof value === 'object' && value !== null && value[BATCHED] === true;
}
