import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { MigrationEntry } from './migration-directory.ts';
import { stripBom } from './migration-file.ts';
import type { RbMigrationRecord } from './rb-migrations-table.ts';

/**
 * sha256 of the file text with CRLF turned into LF and without a leading byte order mark: a
 * checkout with other line endings (git autocrlf on Windows) or an editor's BOM is not an edit.
 */
export function migrationChecksum(text: string): string {
  return createHash('sha256').update(stripBom(text).replace(/\r\n/g, '\n')).digest('hex');
}

export function fileChecksum(filePath: string): string {
  return migrationChecksum(readFileSync(filePath, 'utf8'));
}

export interface ChecksumReview {
  /** Applied files whose text differs from what was applied. */
  edited: MigrationEntry[];
  /** Applied files without a recorded checksum (applied by dbmate or an older rb): adopted silently. */
  unrecorded: MigrationEntry[];
}

/** Compares the applied files with the checksums rb recorded when it applied them. */
export function reviewChecksums(files: MigrationEntry[], applied: Set<string>, records: Map<string, RbMigrationRecord>): ChecksumReview {
  const review: ChecksumReview = { edited: [], unrecorded: [] };
  for (const file of files) {
    if (!applied.has(file.version)) continue;
    const record = records.get(file.version);
    if (!record || record.state !== 'applied') review.unrecorded.push(file);
    else if (record.checksum !== fileChecksum(file.path)) review.edited.push(file);
  }
  return review;
}
