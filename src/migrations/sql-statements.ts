/**
 * Splits SQL text into statements the way psql does (its lexer, src/fe_utils/psqlscan.l): a `;`
 * ends a statement unless it is inside a string ('...', E'...' with backslash escapes, "..."),
 * a dollar quote ($$...$$, $tag$...$tag$), a comment (`--` to the line end, or nested block comments),
 * parentheses, or the BEGIN ... END body of a CREATE FUNCTION/PROCEDURE (BEGIN ATOMIC).
 * rb uses it to say which statement failed when PostgreSQL reports no position, and to count
 * the statements of a transaction:false section.
 */
export interface SqlStatement {
  /** The statement's text, from its first token up to (not including) its `;`. */
  text: string;
  /** Offsets of `text` in the input (characters, as PostgreSQL counts positions). */
  start: number;
  end: number;
  /** 1-based line of its first token in the input. */
  line: number;
  /** Its first words, lower case (unquoted identifiers and keywords only): ["create", "index", "concurrently"]. */
  words: string[];
  /** Offsets of positional parameters ($1, $2...) outside strings and comments. */
  placeholders: number[];
}

const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CONT = /[A-Za-z_0-9$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*)?\$/;
const WORDS_KEPT = 8;

/** psql's heuristic for CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC ... END. */
function isRoutineHeader(words: string[]): boolean {
  const [a, b, c, d] = words;
  if (a !== 'create') return false;
  if (b === 'function' || b === 'procedure') return true;
  return b === 'or' && c === 'replace' && (d === 'function' || d === 'procedure');
}

export function splitStatements(sql: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let i = 0;
  let line = 1;
  let start = -1;
  let startLine = 1;
  let parenDepth = 0;
  let beginDepth = 0;
  let words: string[] = [];
  let placeholders: number[] = [];
  /** Every word of the statement so far, for the routine header test (psql keeps the first four). */
  let headerWords: string[] = [];

  const finish = (end: number) => {
    if (start !== -1) statements.push({ text: sql.slice(start, end).trimEnd(), start, end, line: startLine, words, placeholders });
    start = -1;
    parenDepth = 0;
    beginDepth = 0;
    words = [];
    placeholders = [];
    headerWords = [];
  };
  const token = () => {
    if (start === -1) {
      start = i;
      startLine = line;
    }
  };
  /** Advances over sql[from, to), counting newlines. */
  const skipTo = (to: number) => {
    for (let k = i; k < to && k < sql.length; k++) if (sql[k] === '\n') line++;
    i = Math.min(to, sql.length);
  };
  /** Skips a quoted run ending with `quote`, where a doubled quote is an escaped one (and `\x` too with backslashes). */
  const skipQuoted = (quote: string, backslashes: boolean) => {
    let k = i + 1;
    while (k < sql.length) {
      if (backslashes && sql[k] === '\\') {
        k += 2;
        continue;
      }
      if (sql[k] === quote) {
        if (sql[k + 1] === quote) {
          k += 2;
          continue;
        }
        k += 1;
        break;
      }
      k += 1;
    }
    skipTo(k);
  };

  while (i < sql.length) {
    const ch = sql[i];
    const next = sql[i + 1];
    if (ch === '\n') {
      line++;
      i++;
    } else if (/\s/.test(ch)) {
      i++;
    } else if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (ch === '/' && next === '*') {
      let depth = 0;
      let k = i;
      while (k < sql.length) {
        if (sql[k] === '/' && sql[k + 1] === '*') {
          depth++;
          k += 2;
        } else if (sql[k] === '*' && sql[k + 1] === '/') {
          depth--;
          k += 2;
          if (depth === 0) break;
        } else k++;
      }
      skipTo(k);
    } else if (ch === ';') {
      if (parenDepth === 0 && beginDepth === 0) finish(i);
      i++;
    } else if (ch === "'") {
      token();
      skipQuoted("'", false);
    } else if (ch === '"') {
      token();
      skipQuoted('"', false);
    } else if ((ch === 'E' || ch === 'e') && next === "'") {
      token();
      i++;
      skipQuoted("'", true);
    } else if ((ch === 'U' || ch === 'u') && next === '&' && (sql[i + 2] === "'" || sql[i + 2] === '"')) {
      token();
      i += 2;
      skipQuoted(sql[i], false);
    } else if (ch === '$' && DOLLAR_TAG.test(sql.slice(i, i + 64))) {
      token();
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64))![0];
      const close = sql.indexOf(tag, i + tag.length);
      skipTo(close === -1 ? sql.length : close + tag.length);
    } else if (IDENT_START.test(ch)) {
      token();
      let k = i + 1;
      while (k < sql.length && IDENT_CONT.test(sql[k])) k++;
      const word = sql.slice(i, k).toLowerCase();
      if (words.length < WORDS_KEPT) words.push(word);
      if (headerWords.length < 4) headerWords.push(word);
      if (isRoutineHeader(headerWords) && parenDepth === 0) {
        if (word === 'begin') beginDepth++;
        else if (word === 'case' && beginDepth > 0) beginDepth++;
        else if (word === 'end' && beginDepth > 0) beginDepth--;
      }
      i = k;
    } else {
      token();
      if (ch === '$' && /[0-9]/.test(next ?? '')) placeholders.push(i);
      if (ch === '(') parenDepth++;
      else if (ch === ')' && parenDepth > 0) parenDepth--;
      i++;
    }
  }
  finish(sql.length);
  return statements;
}

/** 1-based line and column of a character offset in text (a CR before LF is not a column). */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      column = 1;
    } else if (text[k] !== '\r') column++;
  }
  return { line, column };
}

/**
 * Statements PostgreSQL refuses inside a transaction block (PreventInTransactionBlock), which a
 * multi-statement query always is: returns a short name for the statement, or undefined.
 */
export function refusedInTransaction(statement: SqlStatement): string | undefined {
  const w = statement.words;
  const text = w.join(' ');
  if (/^create (unique )?index concurrently\b/.test(text)) return 'CREATE INDEX CONCURRENTLY';
  if (/^drop index concurrently\b/.test(text)) return 'DROP INDEX CONCURRENTLY';
  if (w[0] === 'reindex' && (w.includes('concurrently') || w[1] === 'database' || w[1] === 'system')) return 'REINDEX';
  if (w[0] === 'vacuum') return 'VACUUM';
  if ((w[0] === 'create' || w[0] === 'drop') && (w[1] === 'database' || w[1] === 'tablespace')) return `${w[0]} ${w[1]}`.toUpperCase();
  if (w[0] === 'alter' && w[1] === 'system') return 'ALTER SYSTEM';
  if (w[0] === 'alter' && w[1] === 'table' && w.includes('detach') && /\bconcurrently\b/i.test(statement.text)) return 'DETACH PARTITION CONCURRENTLY';
  return undefined;
}

/** BEGIN / START TRANSACTION / COMMIT / END / ROLLBACK / ABORT: the section manages its own transactions. */
export function isTransactionControl(statement: SqlStatement): boolean {
  const [first, second] = statement.words;
  return ['begin', 'commit', 'end', 'rollback', 'abort'].includes(first) || (first === 'start' && second === 'transaction');
}
