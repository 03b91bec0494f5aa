import { connect } from '../client.ts';
import type { DbmateSqlError } from './dbmate.ts';
import type { MigrationSection } from './migration-file.ts';
import { lineAndColumn, splitStatements } from './sql-statements.ts';

export interface ReplayLocation {
  line?: number;
  column?: number;
  unknownPosition?: string;
}

/**
 * Finds the statement of a transactional section that fails, when PostgreSQL gave no position
 * (a multi-statement query reports none for errors raised while a statement runs): the
 * statements run again one at a time inside a transaction that is always rolled back. Only for
 * databases that exist to be thrown away (rb check's scratch database, the types shadow
 * database), right after dbmate's transaction rolled back, so the database is as it was.
 */
export async function locateByReplay(url: string, section: MigrationSection, original: DbmateSqlError): Promise<ReplayLocation> {
  const statements = splitStatements(section.sql);
  const sql = connect(url, { max: 1 });
  try {
    const conn = await sql.reserve();
    try {
      await conn.unsafe('begin');
      for (const statement of statements) {
        try {
          await conn.unsafe(statement.text);
        } catch (error) {
          const e = error as { code?: string; position?: string };
          if (e.code !== original.sqlState) break;
          // Positions count characters from 1 within the statement sent.
          const offset = e.position ? statement.start + Number(e.position) - 1 : undefined;
          if (offset === undefined) return { line: section.line + statement.line };
          const place = lineAndColumn(section.sql, offset);
          return { line: section.line + place.line, column: place.column };
        }
      }
    } finally {
      await conn.unsafe('rollback').catch(() => undefined);
      conn.release();
    }
  } catch {
    // The replay is a courtesy: when it cannot run, the position stays unknown.
  } finally {
    await sql.end({ timeout: 5 });
  }
  return {
    unknownPosition:
      `position unknown: PostgreSQL reported none, the section (line ${section.line}) holds ${statements.length} statements, ` +
      'and running them one by one did not fail the same way',
  };
}
