import { diffSnapshots, type SchemaChange } from '../check/schema-diff.ts';
import type { Snapshot, SnapshotItem } from '../check/schema-snapshot.ts';
import { otherToolTable } from '../rb-tables.ts';

/** One way the inspected database differs from what its applied migrations build. */
export interface DriftDifference {
  /** extra: only in the database; missing: only in what the migrations build; changed: in both, differently. */
  kind: 'extra' | 'missing' | 'changed';
  /** The object, as rb check names it: "index app.t_a_idx", "column app.t.a". */
  object: string;
  /** The sentence rb prints. */
  text: string;
}

export interface SchemaComparison {
  differences: DriftDifference[];
  /** Schemas in the database that no migration creates and rb.schemas does not list: left out. */
  notCompared: string[];
}

export interface CompareOptions {
  /** How sentences name the inspected database: "production", "the local database". */
  label: string;
  /** rb.schemas: compared even when no migration creates them. */
  schemas: string[];
  /** The role the migrations ran as on each side (see TargetReading.migrationRole). */
  roles: { expected: string | null; actual: string | null };
}

// Longest first: "materialized view x" is not a "view".
const KINDS = ['materialized view', 'foreign table', 'window function', 'table', 'view', 'sequence', 'column', 'constraint', 'index',
  'trigger', 'policy', 'rule', 'type', 'function', 'procedure', 'aggregate'];

/**
 * Whether an item lies in one of the schemas; extensions count by the schema they are installed
 * in, default privileges for no schema always count.
 */
function inSchemas(item: SnapshotItem, schemas: Set<string>): boolean {
  const { key } = item;
  if (key.startsWith('schema ')) return schemas.has(key.slice('schema '.length));
  if (key.startsWith('extension ')) return schemas.has(item.attrs.schema ?? '');
  if (key.startsWith('default privileges of ')) {
    const schema = / in schema (.+) on [a-z]+$/.exec(key)?.[1];
    return schema === undefined || schemas.has(schema);
  }
  const kind = KINDS.find((k) => key.startsWith(`${k} `));
  if (!kind) return true;
  const name = key.slice(kind.length + 1);
  return [...schemas].some((schema) => name.startsWith(`${schema}.`));
}

/** A table of another migration tool (flyway_schema_history...), or an object that belongs to one. */
function otherToolObject(item: SnapshotItem): boolean {
  return [item.key, item.parent].some((key) => {
    const match = key ? /^table (.+)\.([^.]+)$/.exec(key) : null;
    return match !== null && otherToolTable(match[1], match[2]) !== undefined;
  });
}

/** An aclitem's role name as PostgreSQL prints it (quoted when it is not a plain lower-case name). */
function aclName(role: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(role) ? role : `"${role.replace(/"/g, '""')}"`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The snapshot with the role `from` written as `to` where the migrating role shows: owners, grants
 * (grantee and grantor), default privileges. The scratch database's objects belong to its server's
 * role, the target's to whoever ran the migrations there: the same fact under two names.
 */
function renameRole(snapshot: Snapshot, from: string, to: string): Snapshot {
  const inAcl = new RegExp(`(^|[{,/])${escapeRegExp(aclName(from))}(?=[=/,}]|$)`, 'g');
  const renamed: Snapshot = new Map();
  for (const item of snapshot.values()) {
    const attrs = { ...item.attrs };
    if (attrs.owner === from) attrs.owner = to;
    if (attrs.acl) attrs.acl = attrs.acl.replace(inAcl, `$1${aclName(to)}`);
    const prefix = `default privileges of ${from} `;
    const key = item.key.startsWith(prefix) ? `default privileges of ${to} ${item.key.slice(prefix.length)}` : item.key;
    renamed.set(key, { ...item, key, attrs });
  }
  return renamed;
}

/**
 * What is compared: objects in the schemas the migrations create (or rb.schemas lists), without
 * other tools' tracking tables, and without an extension's version (it is the server's package,
 * not something a migration wrote).
 */
function compared(snapshot: Snapshot, schemas: Set<string>): Snapshot {
  const kept: Snapshot = new Map();
  for (const item of snapshot.values()) {
    if (!inSchemas(item, schemas) || otherToolObject(item)) continue;
    if (item.key.startsWith('extension ')) {
      const { version: _version, ...attrs } = item.attrs;
      kept.set(item.key, { ...item, attrs });
    } else kept.set(item.key, item);
  }
  return kept;
}

function sentence(change: SchemaChange, label: string): DriftDifference {
  const object = change.key;
  if (change.kind === 'left-behind') return { kind: 'extra', object, text: `${object} exists in ${label} but no migration creates it` };
  if (change.kind === 'missing') return { kind: 'missing', object, text: `${object} is missing in ${label} (the migrations create it)` };
  if (change.attribute?.name === 'not null') {
    // A flag, not a value: "not null is none in ..." reads badly.
    const inDatabase = change.attribute.after === 'none' ? 'nullable' : 'NOT NULL';
    const inMigrations = change.attribute.before === 'none' ? 'nullable' : 'NOT NULL';
    return { kind: 'changed', object, text: `${object} is ${inDatabase} in ${label}, ${inMigrations} in the migrations` };
  }
  if (change.attribute) {
    const { name, before, after } = change.attribute;
    return { kind: 'changed', object, text: `${object}: ${name} is ${after} in ${label}, ${before} in the migrations` };
  }
  if (change.renamedTo) return { kind: 'changed', object, text: `${object} is named ${change.renamedTo} in ${label} (same definition)` };
  return { kind: 'changed', object, text: `${change.text} in ${label} compared with the migrations` };
}

/** Compares the inspected database's snapshot (actual) with what its applied migrations build (expected). */
export function compareSchemas(expected: Snapshot, actual: Snapshot, options: CompareOptions): SchemaComparison {
  const schemaNames = (snapshot: Snapshot) => [...snapshot.keys()].filter((k) => k.startsWith('schema ')).map((k) => k.slice('schema '.length));
  const schemas = new Set([...schemaNames(expected), ...options.schemas]);
  const notCompared = schemaNames(actual).filter((s) => !schemas.has(s)).sort();
  const { expected: expectedRole, actual: actualRole } = options.roles;
  const normalised = expectedRole && actualRole && expectedRole !== actualRole ? renameRole(expected, expectedRole, actualRole) : expected;
  const changes = diffSnapshots(compared(normalised, schemas), compared(actual, schemas));
  return { differences: changes.map((change) => sentence(change, options.label)), notCompared };
}
