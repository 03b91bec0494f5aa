import { pathToFileURL } from 'node:url';

/** Where in the script an error came from: the first stack frame inside the script file. */
export function scriptLocation(error: unknown, file: string): { line: number; column: number } | undefined {
  const stack = error instanceof Error ? error.stack : undefined;
  if (!stack) return undefined;
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Node prints paths or file URLs; tsx may append ?namespace=... before the position.
  const pattern = new RegExp(`(?:${escape(file)}|${escape(pathToFileURL(file).href)})(?:\\?[^:\\s)]*)?:(\\d+):(\\d+)`);
  for (const frame of stack.split('\n')) {
    const match = pattern.exec(frame);
    if (match) return { line: Number(match[1]), column: Number(match[2]) };
  }
  return undefined;
}

interface PgErrorFields {
  code?: string;
  detail?: string;
  message?: string;
}

/** One line describing an error a script threw: PostgreSQL errors keep their SQLSTATE and detail. */
export function describeScriptError(error: unknown): string {
  if (!(error instanceof Error)) return `threw ${String(error)}`;
  const pg = error as Error & PgErrorFields;
  const message = error.message.split('\n')[0];
  if (error.name === 'PostgresError' && pg.code) {
    return `${message} (SQLSTATE ${pg.code}${pg.detail ? `: ${pg.detail.split('\n')[0]}` : ''})`;
  }
  return message;
}
