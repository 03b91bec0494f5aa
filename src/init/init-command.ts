import { existsSync, readdirSync } from 'node:fs';
import { loadConfig, relativeToProject } from '../config.ts';
import { ConnectionError, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';
import { describeUrl, parseDatabaseUrl } from '../target/database-url.ts';
import { initProject, type InitResult } from './init-project.ts';

export interface InitFlags {
  existingDatabase?: boolean;
  databaseUrl?: string;
  prod?: boolean;
}

/**
 * How init knows the app adopts a database that already has tables: --existing-database says so;
 * otherwise, when DATABASE_URL (or --database-url) names a database, rb looks at it (read-only)
 * and a database with tables counts as existing. Returns the schemas to use.
 */
async function decideSchemas(flags: InitFlags, url: string | undefined, defaults: string[], io: Io): Promise<{ existing: boolean; schemas: string[]; note?: string }> {
  if (!url) return flags.existingDatabase ? { existing: true, schemas: ['public'] } : { existing: false, schemas: defaults };
  parseDatabaseUrl(url, flags.databaseUrl ? '--database-url' : 'DATABASE_URL');
  const { tablesBySchema, schemasOf } = await import('./existing-tables.ts');
  let counts: Map<string, number>;
  try {
    counts = await tablesBySchema(url);
  } catch (error) {
    if (!(error instanceof ConnectionError)) throw error;
    io.err(`warning: could not look at ${flags.databaseUrl ? '--database-url' : 'DATABASE_URL'} to see whether it already has tables (${error.message}); setting up ${flags.existingDatabase ? 'for an existing database' : 'a new app'}`);
    return flags.existingDatabase ? { existing: true, schemas: ['public'] } : { existing: false, schemas: defaults };
  }
  if (counts.size === 0) {
    return flags.existingDatabase
      ? { existing: true, schemas: ['public'], note: `${describeUrl(url)} has no tables yet` }
      : { existing: false, schemas: defaults };
  }
  const tables = [...counts.values()].reduce((a, b) => a + b, 0);
  const schemas = schemasOf(counts);
  return { existing: true, schemas, note: `${describeUrl(url)} already has ${tables} table(s) in ${schemas.join(', ')}: set up to adopt it` };
}

function nextSteps(result: InitResult, existing: boolean, schemaFile: string): string[] {
  const steps = existing
    ? [
        'rb baseline              record the database\'s current schema as the first migration (rb baseline --prod for production)',
        'rb new-migration <name>  then write changes as new migrations',
      ]
    : ['rb new-migration <name>  write your first table (create table <schema>.<name> ...)'];
  return [
    ...steps,
    `rb upgrade               apply them to the local PostgreSQL (started for you) and regenerate the query types`,
    `                         put annotated queries in ${result.queriesDir}/ (rb types --watch while you edit)`,
    `git add -A               commit the migrations, ${schemaFile} and the generated *.queries.ts`,
  ];
}

export async function initCommand(flags: InitFlags, io: Io): Promise<void> {
  if (flags.prod) throw new UsageError('rb init sets up files in the app and never touches production; drop --prod (rb baseline --prod records production\'s schema)');
  const config = loadConfig();
  // A project that has migrations is set up already: its database is rb's, not one to adopt.
  const hasMigrations = existsSync(config.migrationsDir) && readdirSync(config.migrationsDir).some((f) => f.endsWith('.sql'));
  const url = hasMigrations ? undefined : (flags.databaseUrl ?? config.databaseUrl);
  const decision = await decideSchemas(flags, url, config.schemas, io);
  if (decision.note) io.out(decision.note);
  const result = initProject(config, { schemas: decision.schemas, existingDatabase: decision.existing });
  for (const step of result.steps) io.out(`${step.status.padEnd(7)}  ${step.what}: ${step.detail}`);
  if (!result.changed) {
    io.out('rb init: everything is in place, nothing changed');
    return;
  }
  io.out('');
  io.out('Next:');
  for (const line of nextSteps(result, decision.existing, relativeToProject(config, config.schemaFile))) io.out(`  ${line}`);
}
