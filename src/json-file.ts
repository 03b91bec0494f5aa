import { UsageError } from './errors.ts';

/**
 * Parses the text of a user's JSON file (package.json, pgtyped.config.json); invalid JSON is a
 * UsageError naming the file, line and column (Node 20 says only "at position N") and `fix`.
 */
export function parseJsonText(text: string, shown: string, fix: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '');
    if (!position) throw new UsageError(`${shown}: not valid JSON (${reason}); ${fix}`);
    const before = text.slice(0, Number(position[1]));
    const line = before.split('\n').length;
    const column = Number(position[1]) - before.lastIndexOf('\n');
    throw new UsageError(`${shown}:${line}:${column}: not valid JSON (${reason}); ${fix}`);
  }
}
