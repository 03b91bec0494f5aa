// dist/migrations/rb-directives.js
var DIRECTIVE = /^\s*--\s*rb:\s?(.*)$/;
var MARKER = /^--\s*migrate:(up|down)\b/;
var DURATION = /^\d+(ms|s|min|h|d)?$/;
var TIMEOUT_KEYS = { lock_timeout: "lockTimeout", statement_timeout: "statementTimeout" };
var DIRECTIVE_SYNTAX = '"-- rb: lock_timeout=30s statement_timeout=2h" (timeouts) or "-- rb:irreversible <reason>" (in the down section)';
function isDuration(value) {
  return DURATION.test(value);
}
function durationProblem(value, name) {
  return `${name} "${value}" is not a duration; use a number with ms, s, min, h or d (e.g. 5s; 0 turns it off)`;
}
function parseRbDirectives(text) {
  const result = { timeouts: {}, problems: [] };
  let section = "header";
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const lineText = index === 0 ? raw.replace(/^\uFEFF/, "") : raw;
    const marker = MARKER.exec(lineText);
    if (marker) {
      section = marker[1];
      return;
    }
    const match = DIRECTIVE.exec(lineText);
    if (!match)
      return;
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
      if (section !== "header" || body !== "baseline") {
        result.problems.push({ line, message: `'-- rb:baseline' stands alone on a line before '-- migrate:up', as rb baseline writes it` });
      } else {
        result.baseline = { line };
      }
      return;
    }
    const imported = /^imported\b\s*(.*)$/.exec(body);
    if (imported) {
      if (section !== "header")
        result.problems.push({ line, message: `'-- rb:imported' belongs before '-- migrate:up', as rb import writes it` });
      else
        result.imported = { line, source: imported[1].trim() };
      return;
    }
    const pairs = body.split(/[\s,]+/).filter(Boolean);
    if (pairs.length === 0) {
      result.problems.push({ line, message: `an empty rb setting; write ${DIRECTIVE_SYNTAX}` });
      return;
    }
    for (const pair of pairs) {
      const [key, value] = pair.split("=");
      const field = TIMEOUT_KEYS[key];
      if (!field || value === void 0) {
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

export {
  isDuration,
  durationProblem,
  parseRbDirectives
};
