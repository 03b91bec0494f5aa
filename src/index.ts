// rb's public API: what application code, backfill scripts and tests import from "rb".
export { db, type Queryable } from './types/pgtyped-adapter.ts';
