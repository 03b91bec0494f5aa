/** The stages of rb check, in the order they run. */
export const CHECK_STAGES = ['well-formed', 'round-trip', 'lint', 'generated'] as const;
export type CheckStage = (typeof CHECK_STAGES)[number];

/** One problem rb check found. Every finding is an error: it makes rb check exit non-zero. */
export interface Finding {
  stage: CheckStage;
  /** Short rule id, e.g. "empty-down", "left-behind", "require-concurrent-index-creation". */
  rule: string;
  /** Path relative to the project directory. */
  file?: string;
  /** 1-based line in file. */
  line?: number;
  message: string;
}

/** `file:line: stage/rule: message` — the one-line form printed for people and editors. */
export function formatFinding(finding: Finding): string {
  const where = finding.file ? `${finding.file}${finding.line ? `:${finding.line}` : ''}: ` : '';
  const rule = finding.rule === finding.stage ? finding.stage : `${finding.stage}/${finding.rule}`;
  return `${where}${rule}: ${finding.message}`;
}
