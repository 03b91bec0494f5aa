import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { findProjectRoot } from '@rbsql/runtime/project';
import { relativeToProject } from '../config.ts';
import { UsageError } from '../errors.ts';
import { parseFileName, readMigrationFile, type MigrationFile } from './migration-file.ts';

/** A migration known by its file name only (contents not read yet). */
export interface MigrationEntry {
  version: string;
  name: string;
  fileName: string;
  path: string;
}

/** A version as a number reads it: `1`, `01` and `001` are the same migration to a person. */
export function versionNumber(version: string): string {
  return version.replace(/^0+(?=\d)/, '');
}

/**
 * Lists db/migrations in version order. `.sql` files whose name breaks dbmate's rule and
 * duplicate versions (also `1` and `01`, which dbmate would take as two) are errors.
 */
export function listMigrations(dir: string): MigrationEntry[] {
  if (!existsSync(dir)) return [];
  const entries: MigrationEntry[] = [];
  const seen = new Map<string, string>();
  // Messages name files relative to the project root (found as every command finds it).
  const shown = (fileName: string) => relativeToProject({ projectDir: findProjectRoot() }, path.join(dir, fileName));
  for (const fileName of readdirSync(dir).sort()) {
    if (!fileName.endsWith('.sql')) continue;
    const parsed = parseFileName(fileName);
    if (!parsed) {
      throw new UsageError(
        `${shown(fileName)}: not a migration file name; rename it to <version>_<name>.sql (digits, an underscore, a name)`,
      );
    }
    const other = seen.get(versionNumber(parsed.version));
    if (other) {
      throw new UsageError(`${shown(fileName)}: ${duplicateVersionProblem(parsed.version, other)}`);
    }
    seen.set(versionNumber(parsed.version), fileName);
    entries.push({ ...parsed, fileName, path: path.join(dir, fileName) });
  }
  return entries.sort((a, b) => compareVersions(a.version, b.version));
}

/** The text for a version that another file already uses (shared with rb check). */
export function duplicateVersionProblem(version: string, otherFile: string): string {
  const otherVersion = otherFile.split('_')[0];
  const same = otherVersion === version ? `version ${version} is also used by ${otherFile}` : `version ${version} is the same number as ${otherVersion} of ${otherFile}`;
  return `${same}; give one of them a new version (rb new-migration makes a fresh one)`;
}

/** dbmate orders versions as strings of digits; compare numerically so 9 < 10. */
export function compareVersions(a: string, b: string): number {
  const byLength = a.replace(/^0+/, '').length - b.replace(/^0+/, '').length;
  if (byLength !== 0) return byLength;
  const na = a.replace(/^0+/, '');
  const nb = b.replace(/^0+/, '');
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/**
 * Reads and validates the given entries; every problem is reported at once, with paths relative
 * to the project root. `moreProblems` adds a caller's own checks of each file that parsed
 * ("file:line: message" lines), reported together with the parse errors of the others.
 */
export function readMigrations(
  dir: string, entries: MigrationEntry[], projectDir: string,
  moreProblems?: (file: MigrationFile, shownAs: string) => string[],
): MigrationFile[] {
  const files: MigrationFile[] = [];
  const problems: string[] = [];
  for (const entry of entries) {
    try {
      const shownAs = relativeToProject({ projectDir }, path.join(dir, entry.fileName));
      const file = readMigrationFile(dir, entry.fileName, shownAs);
      files.push(file);
      if (moreProblems) problems.push(...moreProblems(file, shownAs));
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length) throw new UsageError(problems.join('\n'));
  return files;
}
