import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import { compareVersions, duplicateVersionProblem, versionNumber } from '../migrations/migration-directory.ts';
import { isEmptySection, parseFileName, parseMigrationText, transactionFalseProblem, type MigrationFile } from '../migrations/migration-file.ts';
import type { IrreversibleMark } from '../migrations/rb-directives.ts';
import type { Finding } from './finding.ts';

/** A migration that parsed, with what rb check needs to know about its down. */
export interface CheckedMigration {
  file: MigrationFile;
  /** Path relative to the project, as findings print it. */
  relativePath: string;
  /** Set when the down section carries `-- rb:irreversible <reason>`. */
  irreversible?: IrreversibleMark;
  /** True when the down has no SQL (only comments/blank lines). */
  emptyDown: boolean;
}

export interface WellFormedResult {
  findings: Finding[];
  /** Migrations that parsed, in version order. */
  migrations: CheckedMigration[];
  /** True when every file parsed and names/versions are valid: the round trip may run. */
  runnable: boolean;
}

const SECTION_PROBLEM = /^(?:.*?):(\d+): (.*)$/s;

/**
 * Stage 1: every .sql file has a dbmate name, a unique version (1 and 01 are the same),
 * exactly one up and one down section, readable `-- rb:` lines, transaction:false sections that
 * can run outside a transaction, and a down that undoes something or says
 * `-- rb:irreversible <reason>`. All problems are collected, not only the first.
 */
export function checkWellFormed(migrationsDir: string, projectDir: string): WellFormedResult {
  const findings: Finding[] = [];
  const migrations: CheckedMigration[] = [];
  let runnable = true;
  if (!existsSync(migrationsDir)) {
    const dir = path.relative(projectDir, migrationsDir) || migrationsDir;
    findings.push({ stage: 'well-formed', rule: 'no-migrations', file: dir, message: `no migrations directory; create ${dir} (rb new-migration <name> does)` });
    return { findings, migrations, runnable: false };
  }
  const seen = new Map<string, string>();
  for (const fileName of readdirSync(migrationsDir).sort()) {
    if (!fileName.endsWith('.sql')) continue;
    const filePath = path.join(migrationsDir, fileName);
    const relativePath = path.relative(projectDir, filePath) || filePath;
    const parsedName = parseFileName(fileName);
    if (!parsedName) {
      runnable = false;
      findings.push({
        stage: 'well-formed', rule: 'file-name', file: relativePath,
        message: 'not a migration file name; rename it to <version>_<name>.sql (digits, an underscore, a name), as rb new-migration writes',
      });
      continue;
    }
    const other = seen.get(versionNumber(parsedName.version));
    if (other) {
      runnable = false;
      findings.push({ stage: 'well-formed', rule: 'duplicate-version', file: relativePath, message: duplicateVersionProblem(parsedName.version, other) });
      continue;
    }
    seen.set(versionNumber(parsedName.version), fileName);
    let sections;
    try {
      sections = parseMigrationText(readFileSync(filePath, 'utf8'), relativePath);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      runnable = false;
      const match = SECTION_PROBLEM.exec(error.message);
      findings.push({
        stage: 'well-formed', rule: 'sections', file: relativePath,
        line: match ? Number(match[1]) : undefined, message: match ? match[2] : error.message,
      });
      continue;
    }
    const file: MigrationFile = { ...parsedName, fileName, path: filePath, ...sections };
    for (const problem of file.directives.problems) {
      findings.push({ stage: 'well-formed', rule: 'rb-setting', file: relativePath, line: problem.line, message: problem.message });
    }
    for (const kind of ['up', 'down'] as const) {
      const problem = transactionFalseProblem(file[kind], kind);
      if (problem) findings.push({ stage: 'well-formed', rule: 'transaction-false', file: relativePath, line: problem.line, message: problem.message });
    }
    const mark = file.directives.irreversible;
    const irreversible = mark?.section === 'down' ? mark : undefined;
    const emptyDown = isEmptySection(file.down);
    if (mark && mark.section !== 'down') {
      findings.push({
        stage: 'well-formed', rule: 'irreversible-place', file: relativePath, line: mark.line,
        message: "'-- rb:irreversible' belongs in the down section (after '-- migrate:down'), where it says that section cannot undo the up; move it there",
      });
    }
    if (irreversible && !irreversible.reason) {
      findings.push({
        stage: 'well-formed', rule: 'irreversible-reason', file: relativePath, line: irreversible.line,
        message: "'-- rb:irreversible' needs a reason after it, e.g. '-- rb:irreversible drops user data that cannot be restored'",
      });
    }
    if (emptyDown && !irreversible) {
      findings.push({
        stage: 'well-formed', rule: 'empty-down', file: relativePath, line: file.down.line,
        message:
          "the down section is empty, so a rollback would silently keep the up's changes; write SQL that undoes the up, " +
          "or mark the migration irreversible with a line '-- rb:irreversible <reason>' in the down section",
      });
    }
    migrations.push({ file, relativePath, irreversible, emptyDown });
  }
  migrations.sort((a, b) => compareVersions(a.file.version, b.file.version));
  return { findings, migrations, runnable };
}
