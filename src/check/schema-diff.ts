import type { Snapshot, SnapshotItem } from './schema-snapshot.ts';

/** How one schema object differs between the snapshot before the up and the one after the down. */
export interface SchemaChange {
  kind: 'left-behind' | 'missing' | 'changed';
  key: string;
  /** Readable sentence, e.g. "index app.t_a_idx was left behind". */
  text: string;
  /**
   * Set (kind "changed") when the only difference is the order of a table's columns: the columns
   * that moved. A down that drops a column and adds it back puts it last; rb check reports this
   * as a warning by default.
   */
  reorderedColumns?: string[];
  /** A changed attribute and its two values as shown in `text` (rb drift words them its own way). */
  attribute?: { name: string; before: string; after: string };
  /** A rename: the new name. */
  renamedTo?: string;
}

const MAX_VALUE = 120;

/** A value on one line; a long multi-line definition is shown by its first differing line. */
function shown(value: string | undefined, other: string | undefined): string {
  if (value === undefined) return 'none';
  let text = value.replace(/\s+/g, ' ').trim();
  if (value.includes('\n') && other !== undefined && text.length > MAX_VALUE) {
    const a = value.split('\n');
    const b = other.split('\n');
    const index = a.findIndex((line, i) => line !== b[i]);
    text = index === -1 ? `${a.length} lines` : `line ${index + 1} "${a[index].trim()}"`;
    return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
  }
  text = text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
  return /^\d+$/.test(text) ? text : `"${text}"`;
}

function changedAttributes(before: SnapshotItem, after: SnapshotItem): SchemaChange[] {
  const names = [...new Set([...Object.keys(before.attrs), ...Object.keys(after.attrs)])].sort();
  const changes: SchemaChange[] = [];
  for (const name of names) {
    const a = before.attrs[name];
    const b = after.attrs[name];
    // Column positions are compared per table (columnOrderChanges), not column by column.
    if (a === b || name === 'position') continue;
    const attribute = { name, before: shown(a, b), after: shown(b, a) };
    changes.push({ kind: 'changed', key: after.key, text: `${after.key}: ${name} changed from ${attribute.before} to ${attribute.after}`, attribute });
  }
  return changes;
}

/** Longest common subsequence of two name lists (tables have tens of columns: O(n·m) is fine). */
function longestCommonSubsequence(a: string[], b: string[]): Set<string> {
  const table = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
    }
  }
  const kept = new Set<string>();
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) {
      kept.add(a[i]);
      i++;
      j++;
    } else if (table[i + 1][j] >= table[i][j + 1]) i++;
    else j++;
  }
  return kept;
}

function columnsByTable(snapshot: Snapshot): Map<string, SnapshotItem[]> {
  const tables = new Map<string, SnapshotItem[]>();
  for (const item of snapshot.values()) {
    if (!item.key.startsWith('column ') || !item.parent) continue;
    const list = tables.get(item.parent) ?? [];
    list.push(item);
    tables.set(item.parent, list);
  }
  for (const list of tables.values()) list.sort((x, y) => Number(x.attrs.position) - Number(y.attrs.position));
  return tables;
}

/**
 * One line per table whose columns are in another order (a down that drops a column and adds it
 * back puts it last). Columns that were only added or removed do not count as moves: the
 * smallest set of moved columns is the complement of the longest common subsequence.
 */
function columnOrderChanges(before: Snapshot, after: Snapshot): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const afterTables = columnsByTable(after);
  // Sorted: a snapshot's order depends on how it was read (in full or incrementally).
  for (const [table, beforeColumns] of [...columnsByTable(before)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const afterColumns = afterTables.get(table);
    if (!afterColumns) continue;
    const afterKeys = new Set(afterColumns.map((c) => c.key));
    const beforeKeys = new Set(beforeColumns.map((c) => c.key));
    const a = beforeColumns.filter((c) => afterKeys.has(c.key)).map((c) => c.key);
    const b = afterColumns.filter((c) => beforeKeys.has(c.key)).map((c) => c.key);
    const kept = longestCommonSubsequence(a, b);
    const moved = a.filter((key) => !kept.has(key));
    if (!moved.length) continue;
    const prefix = `column ${table.replace(/^(foreign )?table /, '')}.`;
    const detail = moved.map((key) => `${key.slice(prefix.length)} from position ${before.get(key)!.attrs.position} to ${after.get(key)!.attrs.position}`);
    changes.push({
      kind: 'changed', key: table, text: `${table}: column order changed (${detail.join(', ')})`,
      reorderedColumns: moved.map((key) => key.slice(prefix.length)),
    });
  }
  return changes;
}

/** What identifies a constraint or index apart from its name: its definition, without the name. */
function renameSignature(item: SnapshotItem): string | undefined {
  const kind = /^(constraint|index) /.exec(item.key)?.[1];
  const definition = item.attrs.definition;
  if (!kind || !definition || !item.parent) return undefined;
  const name = item.key.slice(item.key.lastIndexOf('.') + 1);
  return `${kind} ${item.parent} ${kind === 'index' ? definition.replace(` INDEX ${name} ON `, ' INDEX ON ') : definition}`;
}

/**
 * A constraint or index that is gone while one with the same definition on the same table was
 * left behind under another name (table-swap migrations do this): one "renamed" line instead of
 * two. Removes the pairs it reports from removed/added.
 */
function renames(before: Snapshot, after: Snapshot, removed: Set<string>, added: Set<string>): SchemaChange[] {
  const addedBySignature = new Map<string, string[]>();
  for (const key of [...added].sort()) {
    const signature = renameSignature(after.get(key)!);
    if (signature) addedBySignature.set(signature, [...(addedBySignature.get(signature) ?? []), key]);
  }
  const changes: SchemaChange[] = [];
  for (const key of [...removed].sort()) {
    const signature = renameSignature(before.get(key)!);
    const candidates = signature ? addedBySignature.get(signature) : undefined;
    const match = candidates?.shift();
    if (!match) continue;
    removed.delete(key);
    added.delete(match);
    const renamedTo = match.slice(match.lastIndexOf('.') + 1);
    changes.push({ kind: 'changed', key, text: `${key} was renamed to ${renamedTo} (same definition)`, renamedTo });
  }
  return changes;
}

/**
 * Compares the schema before a migration's up with the schema after its down. An object whose
 * parent (a column's table) was itself added or removed is not listed separately: "table t was
 * left behind" says it all.
 */
export function diffSnapshots(before: Snapshot, after: Snapshot): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const added = new Set([...after.keys()].filter((k) => !before.has(k)));
  const removed = new Set([...before.keys()].filter((k) => !after.has(k)));
  changes.push(...renames(before, after, removed, added));
  for (const key of [...added].sort()) {
    const parent = after.get(key)!.parent;
    if (parent && added.has(parent)) continue;
    changes.push({ kind: 'left-behind', key, text: `${key} was left behind` });
  }
  for (const key of [...removed].sort()) {
    const parent = before.get(key)!.parent;
    if (parent && removed.has(parent)) continue;
    changes.push({ kind: 'missing', key, text: `${key} existed before the up and is gone after the down` });
  }
  const common = [...before.keys()].filter((k) => after.has(k)).sort();
  for (const key of common) changes.push(...changedAttributes(before.get(key)!, after.get(key)!));
  return [...changes, ...columnOrderChanges(before, after)];
}
