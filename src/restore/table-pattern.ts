import { UsageError } from '../errors.ts';

/** Matches a table (schema + name) against one --exclude-table(-data) pattern. */
export type TableMatcher = (schema: string, name: string) => boolean;

/**
 * pg_dump's table patterns, as psql reads them: `schema.table` or `table` (any schema), `*` and
 * `?` as wildcards, unquoted letters folded to lower case, double quotes keeping case and dots.
 * Other regular-expression characters are taken literally.
 */
export function tablePattern(pattern: string, flag = '--exclude-table-data'): TableMatcher {
  const parts: string[] = [''];
  let quoted = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === '"') {
      if (quoted && pattern[i + 1] === '"') {
        parts[parts.length - 1] += escape('"');
        i += 1;
      } else quoted = !quoted;
    } else if (!quoted && c === '.') parts.push('');
    else if (!quoted && c === '*') parts[parts.length - 1] += '.*';
    else if (!quoted && c === '?') parts[parts.length - 1] += '.';
    else parts[parts.length - 1] += escape(quoted ? c : c.toLowerCase());
  }
  if (quoted || parts.length > 2 || parts.some((p) => p === '')) {
    throw new UsageError(`${flag} "${pattern}" is not a table pattern; use table, schema.table or wildcards such as app.audit_*`);
  }
  const [schemaRe, nameRe] = parts.length === 2 ? parts.map((p) => new RegExp(`^(?:${p})$`)) : [/^/, new RegExp(`^(?:${parts[0]})$`)];
  return (schema, name) => schemaRe.test(schema) && nameRe.test(name);
}

/**
 * The pattern that names exactly this table, as a user types it after a flag: parts that are not
 * plain lower-case names are double-quoted, and the whole is single-quoted for the shell then.
 */
export function patternFor(schema: string, name: string): string {
  const part = (p: string) => (/^[a-z_][a-z0-9_]*$/.test(p) ? p : `"${p.replace(/"/g, '""')}"`);
  const pattern = `${part(schema)}.${part(name)}`;
  return /^[a-z0-9_.]+$/.test(pattern) ? pattern : `'${pattern.replace(/'/g, `'\\''`)}'`;
}

function escape(c: string): string {
  return c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
