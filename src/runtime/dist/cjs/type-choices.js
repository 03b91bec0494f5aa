"use strict";
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
Object.defineProperty(exports, "__esModule", { value: true });
exports.postgresTypes = exports.rbTypesOverrides = exports.TYPE_CHOICES_VERSION = void 0;
exports.searchPath = searchPath;
/** Bumped whenever a choice below changes: it is part of the generation cache key. */
exports.TYPE_CHOICES_VERSION = 2;
exports.rbTypesOverrides = {
    // pgtyped: Date; a calendar date has no time zone, and Date would shift it in non-UTC zones.
    date: 'string',
    // pgtyped: Date; postgres.js returns the text form (e.g. '13:45:00', '13:45:00+02').
    time: 'string',
    timetz: 'string',
    // pgtyped's parameter type is Date | string; a Date is not an interval.
    interval: 'string',
    // pgtyped: boolean; bit(n) is a string of n 0/1 characters.
    bit: 'string',
    varbit: 'string',
    // Not mapped by pgtyped (it would write `unknown`); postgres.js returns the text form.
    int4range: 'string',
    int8range: 'string',
    numrange: 'string',
    tsrange: 'string',
    tstzrange: 'string',
    daterange: 'string',
    oid: 'number',
    record: 'string',
    xml: 'string',
};
const OID = { date: 1082, timestamp: 1114, point: 600 };
const TIMESTAMP_TEXT = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)$/;
function pad(n, width = 2) {
    return String(n).padStart(width, '0');
}
/** A Date parameter for a date column: its UTC calendar day (consistent with timestamps). */
function serializeDate(value) {
    if (value instanceof Date)
        return `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
    return String(value);
}
/** timestamp without time zone is read as UTC, whatever TZ the Node process runs in. */
function parseTimestamp(text) {
    const match = TIMESTAMP_TEXT.exec(text);
    if (!match)
        return new Date(text); // 'infinity', BC dates: what postgres.js would do
    return new Date(`${match[1]}T${match[2]}Z`);
}
/** A Date for a timestamp column is sent as its UTC wall time (PostgreSQL ignores the zone). */
function serializeTimestamp(value) {
    return value instanceof Date ? value.toISOString() : String(value);
}
function parsePoint(text) {
    return text.slice(1, -1).split(',').map(Number);
}
function serializePoint(value) {
    if (Array.isArray(value) && value.length === 2)
        return `(${Number(value[0])},${Number(value[1])})`;
    const p = value;
    if (p && typeof p === 'object' && 'x' in p && 'y' in p)
        return `(${Number(p.x)},${Number(p.y)})`;
    return String(value);
}
/** The postgres.js `types` option matching rbTypesOverrides (arrays of these follow automatically). */
exports.postgresTypes = {
    rbDate: { to: OID.date, from: [OID.date], serialize: serializeDate, parse: (text) => text },
    rbTimestamp: { to: OID.timestamp, from: [OID.timestamp], serialize: serializeTimestamp, parse: parseTimestamp },
    rbPoint: { to: OID.point, from: [OID.point], serialize: serializePoint, parse: parsePoint },
};
/** `app, public` style search_path for the application schemas. */
function searchPath(schemas) {
    const names = [...schemas, ...(schemas.includes('public') ? [] : ['public'])];
    return names.map((name) => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`)).join(', ');
}
