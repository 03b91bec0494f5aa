/**
 * rb's type choices, in one place so the two sides agree: what pgtyped writes into
 * queries/*.queries.ts (typesOverrides) and what postgres.js returns at run time (its `types`
 * option, used by createClient). Field notes §3 lists the mismatches these settle.
 *
 * | PostgreSQL            | TypeScript           | run time (postgres.js)                       |
 * |-----------------------|----------------------|----------------------------------------------|
 * | date                  | string               | 'YYYY-MM-DD' as the server sends it          |
 * | timestamp (no tz)     | Date                 | read as UTC (never Node's local zone)        |
 * | timestamptz           | Date                 | postgres.js default                          |
 * | time, timetz          | string               | postgres.js default (text)                   |
 * | interval              | string (params too)  | postgres.js default (text)                   |
 * | int8, numeric         | string               | postgres.js default (text, no precision loss)|
 * | point                 | number[] ([x, y])    | parsed from '(x,y)'                          |
 * | bit(n), varbit        | string ('101')       | postgres.js default (text)                   |
 * | ranges                | string               | postgres.js default (text)                   |
 * | domains               | their base type      | their base type (rb adds overrides per domain)|
 * | composite, record     | string               | postgres.js default (text)                   |
 */
/** pgtyped's config format: a type name for both directions, or one per direction. */
export type PgtypedOverride = string | {
    parameter?: string;
    return?: string;
};
/** Bumped whenever a choice below changes: it is part of the generation cache key. */
export declare const TYPE_CHOICES_VERSION = 2;
export declare const rbTypesOverrides: Record<string, PgtypedOverride>;
/** A postgres.js custom type: https://github.com/porsager/postgres#custom-types */
interface PostgresType {
    to: number;
    from: number[];
    serialize: (value: unknown) => string;
    parse: (text: string) => unknown;
}
/** The postgres.js `types` option matching rbTypesOverrides (arrays of these follow automatically). */
export declare const postgresTypes: Record<string, PostgresType>;
/** `app, public` style search_path for the application schemas. */
export declare function searchPath(schemas: readonly string[]): string;
export {};
