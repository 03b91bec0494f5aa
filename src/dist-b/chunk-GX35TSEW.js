// dist/migrations/sql-statements.js
var IDENT_START = /[A-Za-z_\u0080-\uffff]/;
var IDENT_CONT = /[A-Za-z_0-9$\u0080-\uffff]/;
var DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z_0-9\u0080-\uffff]*)?\$/;
var WORDS_KEPT = 8;
function isRoutineHeader(words) {
  const [a, b, c, d] = words;
  if (a !== "create")
    return false;
  if (b === "function" || b === "procedure")
    return true;
  return b === "or" && c === "replace" && (d === "function" || d === "procedure");
}
function splitStatements(sql) {
  const statements = [];
  let i = 0;
  let line = 1;
  let start = -1;
  let startLine = 1;
  let parenDepth = 0;
  let beginDepth = 0;
  let words = [];
  let placeholders = [];
  let headerWords = [];
  const finish = (end) => {
    if (start !== -1)
      statements.push({ text: sql.slice(start, end).trimEnd(), start, end, line: startLine, words, placeholders });
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
  const skipTo = (to) => {
    for (let k = i; k < to && k < sql.length; k++)
      if (sql[k] === "\n")
        line++;
    i = Math.min(to, sql.length);
  };
  const skipQuoted = (quote, backslashes) => {
    let k = i + 1;
    while (k < sql.length) {
      if (backslashes && sql[k] === "\\") {
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
    if (ch === "\n") {
      line++;
      i++;
    } else if (/\s/.test(ch)) {
      i++;
    } else if (ch === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end;
    } else if (ch === "/" && next === "*") {
      let depth = 0;
      let k = i;
      while (k < sql.length) {
        if (sql[k] === "/" && sql[k + 1] === "*") {
          depth++;
          k += 2;
        } else if (sql[k] === "*" && sql[k + 1] === "/") {
          depth--;
          k += 2;
          if (depth === 0)
            break;
        } else
          k++;
      }
      skipTo(k);
    } else if (ch === ";") {
      if (parenDepth === 0 && beginDepth === 0)
        finish(i);
      i++;
    } else if (ch === "'") {
      token();
      skipQuoted("'", false);
    } else if (ch === '"') {
      token();
      skipQuoted('"', false);
    } else if ((ch === "E" || ch === "e") && next === "'") {
      token();
      i++;
      skipQuoted("'", true);
    } else if ((ch === "U" || ch === "u") && next === "&" && (sql[i + 2] === "'" || sql[i + 2] === '"')) {
      token();
      i += 2;
      skipQuoted(sql[i], false);
    } else if (ch === "$" && DOLLAR_TAG.test(sql.slice(i, i + 64))) {
      token();
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64))[0];
      const close = sql.indexOf(tag, i + tag.length);
      skipTo(close === -1 ? sql.length : close + tag.length);
    } else if (IDENT_START.test(ch)) {
      token();
      let k = i + 1;
      while (k < sql.length && IDENT_CONT.test(sql[k]))
        k++;
      const word = sql.slice(i, k).toLowerCase();
      if (words.length < WORDS_KEPT)
        words.push(word);
      if (headerWords.length < 4)
        headerWords.push(word);
      if (isRoutineHeader(headerWords) && parenDepth === 0) {
        if (word === "begin")
          beginDepth++;
        else if (word === "case" && beginDepth > 0)
          beginDepth++;
        else if (word === "end" && beginDepth > 0)
          beginDepth--;
      }
      i = k;
    } else {
      token();
      if (ch === "$" && /[0-9]/.test(next ?? ""))
        placeholders.push(i);
      if (ch === "(")
        parenDepth++;
      else if (ch === ")" && parenDepth > 0)
        parenDepth--;
      i++;
    }
  }
  finish(sql.length);
  return statements;
}
function lineAndColumn(text, offset) {
  let line = 1;
  let column = 1;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === "\n") {
      line++;
      column = 1;
    } else if (text[k] !== "\r")
      column++;
  }
  return { line, column };
}
function refusedInTransaction(statement) {
  const w = statement.words;
  const text = w.join(" ");
  if (/^create (unique )?index concurrently\b/.test(text))
    return "CREATE INDEX CONCURRENTLY";
  if (/^drop index concurrently\b/.test(text))
    return "DROP INDEX CONCURRENTLY";
  if (w[0] === "reindex" && (w.includes("concurrently") || w[1] === "database" || w[1] === "system"))
    return "REINDEX";
  if (w[0] === "vacuum")
    return "VACUUM";
  if ((w[0] === "create" || w[0] === "drop") && (w[1] === "database" || w[1] === "tablespace"))
    return `${w[0]} ${w[1]}`.toUpperCase();
  if (w[0] === "alter" && w[1] === "system")
    return "ALTER SYSTEM";
  if (w[0] === "alter" && w[1] === "table" && w.includes("detach") && /\bconcurrently\b/i.test(statement.text))
    return "DETACH PARTITION CONCURRENTLY";
  return void 0;
}
function isTransactionControl(statement) {
  const [first, second] = statement.words;
  return ["begin", "commit", "end", "rollback", "abort"].includes(first) || first === "start" && second === "transaction";
}

export {
  splitStatements,
  lineAndColumn,
  refusedInTransaction,
  isTransactionControl
};
