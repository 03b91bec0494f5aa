/** The stages of rb check, in the order they report. */
export const CHECK_STAGES = ['well-formed', 'round-trip', 'impact', 'lint', 'generated'] as const;
export type CheckStage = (typeof CHECK_STAGES)[number];

/** An error makes rb check exit non-zero; a warning is printed and does not. */
export type Severity = 'error' | 'warning';

/** One problem rb check found. */
export interface Finding {
  stage: CheckStage;
  /** Short rule id, e.g. "empty-down", "left-behind", "table-rewrite", "require-concurrent-index-creation". */
  rule: string;
  /** Path relative to the project directory. */
  file?: string;
  /** 1-based line in file. */
  line?: number;
  message: string;
  /** Absent means "error" (every stage but round-trip's column order and impact's blocking-lock only reports errors). */
  severity?: Severity;
}

export function isWarning(finding: Finding): boolean {
  return finding.severity === 'warning';
}

/** `file:line: stage/rule: message` (`... stage/rule: warning: message`): the one-line form printed for people and editors. */
export function formatFinding(finding: Finding): string {
  const where = finding.file ? `${finding.file}${finding.line ? `:${finding.line}` : ''}: ` : '';
  const rule = finding.rule === finding.stage ? finding.stage : `${finding.stage}/${finding.rule}`;
  return `${where}${rule}: ${isWarning(finding) ? 'warning: ' : ''}${finding.message}`;
}
