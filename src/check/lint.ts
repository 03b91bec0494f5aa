import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { RbError, UsageError } from '../errors.ts';
import { runProcess } from '../process.ts';
import type { Finding } from './finding.ts';
import type { CheckedMigration } from './well-formed.ts';
import { makeTempDir } from '../temp-dirs.ts';

/**
 * squawk rules rb turns off unless the project lists its own: rb upgrade runs every migration
 * with a lock_timeout and a statement_timeout already, so asking for them in each file is noise.
 */
export const DEFAULT_SQUAWK_EXCLUDED_RULES = ['require-lock-timeout', 'require-statement-timeout'];

export interface LintOptions {
  /** Rules to turn off (replaces DEFAULT_SQUAWK_EXCLUDED_RULES). */
  excludedRules?: string[];
}

interface SquawkViolation {
  file: string;
  /** 0-based. */
  line: number;
  rule_name: string;
  message: string;
  help: string | null;
}

/** The squawk binary from its platform package (what squawk-cli's own launcher runs). */
export function squawkBinary(): string {
  const require = createRequire(import.meta.url);
  const pkg = `@squawk-cli/${process.platform}-${process.arch}`;
  try {
    // npm may install the platform package beside squawk-cli or inside it.
    const launcher = createRequire(require.resolve('squawk-cli/package.json'));
    return launcher.resolve(`${pkg}/bin/squawk`);
  } catch {
    throw new RbError(`squawk for this platform (${pkg}) is not installed; run npm ci (with optional dependencies) to lint migrations`);
  }
}

/**
 * Stage 3: squawk over each up section, except adopted history (`-- rb:baseline`, `-- rb:imported`).
 * Each section is written to a temp file under the migration's own name, preceded by blank lines
 * so squawk's line numbers are the file's.
 * Transactional sections are linted with --assume-in-transaction (dbmate wraps them in one);
 * `transaction:false` sections without it.
 */
export async function lintMigrations(migrations: CheckedMigration[], options: LintOptions = {}): Promise<Finding[]> {
  const binary = squawkBinary();
  const dir = makeTempDir('check-lint');
  const byTempPath = new Map<string, CheckedMigration>();
  const groups: Record<'transactional' | 'standalone', string[]> = { transactional: [], standalone: [] };
  try {
    for (const migration of migrations) {
      // Adopted history (rb baseline's pg_dump, rb import's converted files) ran before rb did:
      // squawk judges a migration before it runs, and these cannot change any more.
      if (migration.file.directives.baseline || migration.file.directives.imported) continue;
      const { up } = migration.file;
      const tempPath = path.join(dir, migration.file.fileName);
      writeFileSync(tempPath, '\n'.repeat(up.line) + up.sql);
      byTempPath.set(tempPath, migration);
      groups[up.options.transaction === 'false' ? 'standalone' : 'transactional'].push(tempPath);
    }
    const excluded = options.excludedRules ?? DEFAULT_SQUAWK_EXCLUDED_RULES;
    const findings: Finding[] = [];
    for (const [group, paths] of Object.entries(groups)) {
      if (paths.length === 0) continue;
      const args = ['--reporter', 'json', '--no-error-on-unmatched-pattern'];
      if (excluded.length) args.push(`--exclude=${excluded.join(',')}`);
      if (group === 'transactional') args.push('--assume-in-transaction');
      // cwd = the temp dir, so a stray .squawk.toml elsewhere does not change the result.
      const result = await runProcess(binary, [...args, ...paths], { cwd: dir });
      // squawk exits 0 (clean), 1 (findings) or 2 (bad options, e.g. an unknown rule name).
      if (result.code !== 0 && result.code !== 1) {
        const detail = (result.stderr || result.stdout).trim().split('\n')[0];
        throw new UsageError(`squawk refused to run: ${detail.replace(/^error: /, '')}; check "rb.check.squawkExcludedRules" in package.json (rule names: https://squawkhq.com/docs/rules)`);
      }
      let violations: SquawkViolation[];
      try {
        violations = JSON.parse(result.stdout || '[]') as SquawkViolation[];
      } catch {
        throw new RbError(`squawk failed (exit ${result.code}): ${(result.stderr || result.stdout).trim().split('\n')[0]}`);
      }
      for (const violation of violations) {
        const migration = byTempPath.get(path.resolve(dir, violation.file));
        if (!migration) throw new RbError(`squawk reported an unknown file ${violation.file}`);
        const help = violation.help ? ` (${violation.help.replace(/\s+/g, ' ').replace(/\.$/, '')})` : '';
        findings.push({
          stage: 'lint', rule: violation.rule_name, file: migration.relativePath, line: violation.line + 1,
          message: `${violation.message.replace(/\s+/g, ' ').replace(/\.$/, '')}${help}`,
        });
      }
    }
    return findings.sort((a, b) => (a.file! < b.file! ? -1 : a.file! > b.file! ? 1 : a.line! - b.line!));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
