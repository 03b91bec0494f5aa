import type { Sql } from '../client.ts';
import type { TocEntry } from './archive-toc.ts';

/**
 * Large objects (pg_largeobject: lo_import, lo_from_bytea, oid columns pointing at them) are data
 * of the database, not of a table, and the migrations do not create them: a restore loads them
 * from the dump with the rows. pg_dump writes one entry per object that creates it ("BLOB", up to
 * PostgreSQL 16; "BLOB METADATA" per group of objects since 17), a "COMMENT" on "LARGE OBJECT <oid>"
 * where one has a comment, its grants ("ACL" on "LARGE OBJECT <oid>") and the bytes of all of them
 * ("BLOBS"). pg_restore --data-only restores the creating, comment and data entries when the list
 * holds them (they are data to it).
 *
 * Owner and grants follow the tables: the tables belong to the role that runs the migrations and
 * carry the grants the migrations make, not production's; so the large objects are restored with
 * --no-owner (owned by the role that restores, the same one) and without production's ACL entries
 * (production's roles need not exist locally).
 */
export function isLargeObjectEntry(entry: TocEntry): boolean {
  if (entry.kind === 'BLOB' || entry.kind === 'BLOB METADATA' || entry.kind === 'BLOBS') return true;
  return entry.kind === 'COMMENT' && entry.schema === '-' && entry.name.startsWith('LARGE OBJECT ');
}

/** Production's grants on large objects ("ACL" on "LARGE OBJECT <oid>", "LARGE OBJECTS <range>" since 17): not restored. */
export function isLargeObjectGrant(entry: TocEntry): boolean {
  return entry.kind === 'ACL' && entry.schema === '-' && entry.name.startsWith('LARGE OBJECT');
}

/** The data entry with the large objects' bytes ("BLOBS"; several since PostgreSQL 17). */
export function isLargeObjectData(entry: TocEntry): boolean {
  return entry.kind === 'BLOBS';
}

/**
 * pg_restore writing a large object's data to a file opens it with this line, once per object
 * (an empty one too), outside any COPY block: the dump's own count of its large objects.
 */
export function opensLargeObject(line: string): boolean {
  return line.startsWith('SELECT pg_catalog.lo_open(');
}

/** The lines that follow lo_open, with the object's bytes. */
export function writesLargeObject(line: string): boolean {
  return line.startsWith('SELECT pg_catalog.lowrite(');
}

/**
 * Removes the large objects the migrations made in the work database (a migration that ran
 * lo_import, say): production's copies of them are in the dump, and restoring an object whose oid
 * is taken fails. As the loaded tables start empty. Returns how many it removed.
 */
export async function clearLargeObjects(sql: Sql): Promise<number> {
  const rows = await sql<{ n: string }[]>`select count(lo_unlink(oid))::text as n from pg_largeobject_metadata`;
  return Number(rows[0].n);
}

/** The large objects in the database, and the role that owns the restored ones. */
export async function countLargeObjects(sql: Sql): Promise<{ count: number; owner: string }> {
  const [row] = await sql<{ n: string; owner: string }[]>`select (select count(*) from pg_largeobject_metadata)::text as n, current_user as owner`;
  return { count: Number(row.n), owner: row.owner };
}
