/**
 * The one reader of `-- rb:` comment lines in a migration file (rb upgrade, rb downgrade, rb check
 * and the timeouts all use it):
 *   -- rb: lock_timeout=30s statement_timeout=2h   timeouts for this file (up and down), anywhere
 *   -- rb:irreversible <reason>                     in the down section: it cannot be undone
 *   -- rb:baseline                                  before the up section: the file is the schema
 *                                                   rb baseline took from a database (kept out of lint)
 *   -- rb:imported <source>                         before the up section: rb import converted the
 *                                                   file from another tool's history (kept out of lint)
 * Anything else after `-- rb:` is reported as a problem with its line, so a typo never passes silently.
 */
export interface FileTimeouts {
  lockTimeout?: string;
  statementTimeout?: string;
}

export interface IrreversibleMark {
  /** 1-based line in the file. */
  line: number;
  reason: string;
  /** Where the line is: before the up marker, in the up section or in the down section. */
  section: 'header' | 'up' | 'down';
}

export interface DirectiveProblem {
  /** 1-based line in the file. */
  line: number;
  message: string;
}

export interface RbDirectives {
  timeouts: FileTimeouts;
  irreversible?: IrreversibleMark;
  /** `-- rb:baseline`: written by rb baseline (src/adopt/baseline.ts). */
  baseline?: { line: number };
  /** `-- rb:imported <source>`: written by rb import (src/adopt/import-history.ts). */
  imported?: { line: number; source: string };
  problems: DirectiveProblem[];
}

const DIRECTIVE = /^\s*--\s*rb:\s?(.*)$/;
const MARKER = /^--\s*migrate:(up|down)\b/;
const DURATION = /^\d+(ms|s|min|h|d)?$/;
const TIMEOUT_KEYS: Record<string, keyof FileTimeouts> = { lock_timeout: 'lockTimeout', statement_timeout: 'statementTimeout' };

export const DIRECTIVE_SYNTAX = '"-- rb: lock_timeout=30s statement_timeout=2h" (timeouts) or "-- rb:irreversible <reason>" (in the down section)';

/** Checks a duration as PostgreSQL takes it for lock_timeout / statement_timeout (rb accepts a subset). */
export function isDuration(value: string): boolean {
  return DURATION.test(value);
}

export function durationProblem(value: string, name: string): string {
  return `${name} "${value}" is not a duration; use a number with ms, s, min, h or d (e.g. 5s; 0 turns it off)`;
}

export function parseRbDirectives(text: string): RbDirectives {
  const result: RbDirectives = { timeouts: {}, problems: [] };
  let section: IrreversibleMark['section'] = 'header';
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const lineText = index === 0 ? raw.replace(/^\uFEFF/, '') : raw;
    const marker = MARKER.exec(lineText);
    if (marker) {
      section = marker[1] as 'up' | 'down';
      return;
    }
    const match = DIRECTIVE.exec(lineText);
    if (!match) return;
    const body = match[1].trim();
    const irreversible = /^irreversible\b\s*(.*)$/.exec(body);
    if (irreversible) {
      if (result.irreversible) {
        result.problems.push({ line, message: `a second '-- rb:irreversible' line (the first is line ${result.irreversible.line}); keep one` });
      } else {
        result.irreversible = { line, reason: irreversible[1].trim(), section };
      }
      return;
    }
    if (/^baseline\b/.test(body)) {
      if (section !== 'header' || body !== 'baseline') {
        result.problems.push({ line, message: `'-- rb:baseline' stands alone on a line before '-- migrate:up', as rb baseline writes it` });
      } else {
        result.baseline = { line };
      }
      return;
    }
    const imported = /^imported\b\s*(.*)$/.exec(body);
    if (imported) {
      if (section !== 'header') result.problems.push({ line, message: `'-- rb:imported' belongs before '-- migrate:up', as rb import writes it` });
      else result.imported = { line, source: imported[1].trim() };
      return;
    }
    const pairs = body.split(/[\s,]+/).filter(Boolean);
    if (pairs.length === 0) {
      result.problems.push({ line, message: `an empty rb setting; write ${DIRECTIVE_SYNTAX}` });
      return;
    }
    for (const pair of pairs) {
      const [key, value] = pair.split('=');
      const field = TIMEOUT_KEYS[key];
      if (!field || value === undefined) {
        result.problems.push({ line, message: `unknown rb setting "${pair}"; write ${DIRECTIVE_SYNTAX}` });
      } else if (!isDuration(value)) {
        result.problems.push({ line, message: durationProblem(value, key) });
      } else {
        result.timeouts[field] = value;
      }
    }
  });
  return result;
}
