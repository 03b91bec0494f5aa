import type { MigrationSection } from '../migrations/migration-file.ts';

/**
 * A migration that cannot be undone says so in its down section with a line
 * `-- rb:irreversible <reason>`; rb check then skips its down in the round trip.
 */
export const IRREVERSIBLE_MARKER = /^\s*--\s*rb:irreversible\b(.*)$/;

export interface IrreversibleMark {
  /** Line of the marker inside the section's SQL (1 = first line after the `-- migrate:down` marker). */
  offset: number;
  reason: string;
}

export function findIrreversibleMark(section: MigrationSection): IrreversibleMark | undefined {
  const lines = section.sql.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = IRREVERSIBLE_MARKER.exec(lines[i]);
    if (match) return { offset: i + 1, reason: match[1].trim() };
  }
  return undefined;
}
