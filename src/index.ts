// rb's public API: what application code, backfill scripts and tests import from "rb".
export { db, EmptySpreadError, type Queryable } from './types/pgtyped-adapter.ts';
export { createClient, type ClientOptions } from './types/create-client.ts';
export { postgresTypes, rbTypesOverrides } from './types/type-choices.ts';
export {
  batchedBackfill,
  type Backfill, type BackfillContext, type BackfillCounts, type BackfillLogger,
  type BatchedBackfill, type BatchedBackfillOptions, type BatchContext, type BatchResult,
} from './backfill/backfill-types.ts';
