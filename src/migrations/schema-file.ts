import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { relativeToProject, type Config } from '../config.ts';
import { RbError } from '../errors.ts';
import { runDbmate } from './dbmate.ts';

/**
 * pg_dump 15.14+ writes `\restrict <random key>` / `\unrestrict <key>` lines into plain dumps;
 * drop them so db/schema.sql is the same on every run.
 */
export function stripRestrictLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\\(un)?restrict\b/.test(line))
    .join('\n')
    .replace(/^\n+/, '');
}

/** Rewrites db/schema.sql from the database (dbmate dump = pg_dump --schema-only + versions). */
export async function writeSchemaFile(config: Config, url: string): Promise<string> {
  const result = await runDbmate(
    { url, migrationsDir: config.migrationsDir, schemaFile: config.schemaFile },
    ['dump'],
  );
  if (!result.ok) {
    const detail = (result.stderr || result.stdout).trim().split('\n').pop() ?? '';
    if (/version mismatch/i.test(detail)) {
      throw new RbError(`could not write ${relativeToProject(config, config.schemaFile)}: ${detail}; install the PostgreSQL client tools of the server's major version (apt-get install postgresql-client-<major>)`);
    }
    if (/executable file not found|pg_dump: not found/i.test(detail)) {
      throw new RbError(`could not write ${relativeToProject(config, config.schemaFile)}: pg_dump is not installed; install the PostgreSQL client tools (apt-get install postgresql-client-15)`);
    }
    throw new RbError(`could not write ${relativeToProject(config, config.schemaFile)}: ${detail}`);
  }
  if (existsSync(config.schemaFile)) {
    writeFileSync(config.schemaFile, stripRestrictLines(readFileSync(config.schemaFile, 'utf8')));
  }
  return config.schemaFile;
}
