import { existsSync } from 'node:fs';
import { lineAndColumn, splitStatements } from '../migrations/sql-statements.ts';
import { PGTYPED_CONFIG_FILE, type QueryFile, type TypesSettings } from './pgtyped-config.ts';

/**
 * What `rb types` warns about before it generates anything (on every run, cached or not): a
 * `srcDir` that is missing or selects no query files (pgtyped silently writes nothing), and
 * queries with positional parameters ($1), which pgtyped's SQL mode does not type: the
 * generated function takes no value for them, so the query fails when it runs.
 */
export function sourceWarnings(settings: TypesSettings, files: readonly QueryFile[], shown: (file: string) => string): string[] {
  const srcDir = shown(settings.srcDir);
  if (!existsSync(settings.srcDir)) {
    return [`${PGTYPED_CONFIG_FILE}: srcDir ${srcDir} does not exist, so there are no queries to type; create it and put annotated queries (*.sql) there, or point srcDir at your queries`];
  }
  if (files.length === 0) {
    const includes = settings.transforms.map((t) => t.include).join(', ');
    return [`${PGTYPED_CONFIG_FILE}: no file under ${srcDir} matches ${includes}, so there are no queries to type; put annotated queries there, or point srcDir at your queries`];
  }
  return [];
}

/** `queries/x.sql:4: query GetUser uses $1: ...`, one line per query that uses positional parameters. */
export function positionalParameterWarnings(relative: string, contents: string): string[] {
  const warnings: string[] = [];
  for (const statement of splitStatements(contents)) {
    if (statement.placeholders.length === 0) continue;
    const first = statement.placeholders[0];
    // The query's name: the @name of the annotation comment right before the statement.
    const at = contents.lastIndexOf('@name', statement.start);
    const end = at === -1 ? -1 : contents.indexOf('*/', at);
    const annotation = end !== -1 && !contents.slice(end + 2, statement.start).trim() ? /^@name\s+([A-Za-z_$][\w$]*)/.exec(contents.slice(at)) : null;
    const name = annotation ? `query ${annotation[1]} ` : '';
    const used = [...new Set(statement.placeholders.map((at) => /^\$\d+/.exec(contents.slice(at))![0]))].join(', ');
    warnings.push(
      `${relative}:${lineAndColumn(contents, first).line}: ${name}uses ${used}: pgtyped types only named parameters, so the generated query takes no value for ${used.includes(',') ? 'them' : 'it'} and fails when it runs; write :name (e.g. :id!) instead`,
    );
  }
  return warnings;
}
