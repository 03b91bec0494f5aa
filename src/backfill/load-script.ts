import { existsSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors.ts';
import { checkBatchedSettings } from './batch-settings.ts';
import { isBatchedBackfill, type Backfill, type BatchedBackfill } from '@rbsql/runtime';
import { scriptLocation } from './script-location.ts';

export type LoadedScript =
  | { kind: 'single'; file: string; run: Backfill }
  | { kind: 'batched'; file: string; spec: BatchedBackfill };

const USAGE_HINT =
  'export default an async function ({ sql, db, log, args, dryRun }) => { ... } (type Backfill from rb), or export default batchedBackfill({ ... })';

/** esbuild's message: "Transform failed with 1 error:\n/abs/file.ts:2:12: ERROR: Unexpected \";\"". */
export function parseTransformError(message: string): { line: number; column: number; text: string } | undefined {
  const match = /:(\d+):(\d+): ERROR: (.*)/.exec(message);
  if (!match) return undefined;
  return { line: Number(match[1]), column: Number(match[2]), text: match[3] };
}

/**
 * Imports a backfill script through tsx and returns its default export. `shown` is the path as
 * the user should see it in messages (relative to the project).
 */
export async function loadScript(file: string, shown: string): Promise<LoadedScript> {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new UsageError(`${shown}: no such file; pass the path of a backfill script, e.g. rb run-script backfill/2024-09-20_my_model_populate_model_prop.ts`);
  }
  // tsImport, not import(): it also loads .ts files of projects without "type": "module".
  // tsx is loaded only here: the rest of rb is compiled JavaScript. Outside the try below: a tsx
  // missing where rb lives is an incomplete install (src/main.ts, bin/rb.js), not the script's fault.
  const { tsImport } = await import('tsx/esm/api');
  let namespace: Record<string, unknown>;
  try {
    namespace = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const syntax = error instanceof Error && /Transform failed/.test(message) ? parseTransformError(message) : undefined;
    if (syntax) {
      throw new UsageError(`${shown}:${syntax.line}:${syntax.column}: TypeScript syntax error: ${syntax.text}; fix the script and run it again`);
    }
    const where = scriptLocation(error, file);
    const firstLine = message.split('\n')[0];
    throw new UsageError(`${shown}${where ? `:${where.line}` : ''}: the script failed to load: ${firstLine}; fix the script and run it again`);
  }
  let exported = namespace.default;
  // A CommonJS-typed project: the namespace's default is module.exports, holding the real default.
  if (typeof exported === 'object' && exported !== null && !isBatchedBackfill(exported) && 'default' in exported) {
    exported = (exported as { default: unknown }).default;
  }
  if (exported === undefined) throw new UsageError(`${shown}: no default export; ${USAGE_HINT}`);
  if (isBatchedBackfill(exported)) {
    checkBatchedSettings(exported, shown);
    return { kind: 'batched', file, spec: exported };
  }
  if (typeof exported !== 'function') {
    throw new UsageError(`${shown}: the default export is ${exported === null ? 'null' : `a ${typeof exported}`}, not a function; ${USAGE_HINT}`);
  }
  return { kind: 'single', file, run: exported as Backfill };
}
