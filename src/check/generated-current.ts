import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { relativeToProject, type Config } from '../config.ts';
import { RbError } from '../errors.ts';
import { runDbmate } from '../migrations/dbmate.ts';
import { stripRestrictLines } from '../migrations/schema-file.ts';
import type { Finding } from './finding.ts';
import { makeTempDir } from '../temp-dirs.ts';

/**
 * Stage 4: db/schema.sql must be what the migrations produce. The scratch database (every
 * migration applied, nothing else) is dumped the way rb upgrade writes db/schema.sql; the
 * expected file is kept in .rb/check/schema.sql so a stale one can be compared and replaced.
 */
export async function checkSchemaFileCurrent(config: Config, scratchUrl: string): Promise<Finding[]> {
  const relative = relativeToProject(config, config.schemaFile);
  const tempDir = makeTempDir('check-dump');
  let expected: string;
  try {
    const dumpFile = path.join(tempDir, 'schema.sql');
    const result = await runDbmate({ url: scratchUrl, migrationsDir: config.migrationsDir, schemaFile: dumpFile }, ['dump']);
    if (!result.ok) {
      const detail = (result.stderr || result.stdout).trim().split('\n').pop() ?? '';
      throw new RbError(`could not dump the scratch database to compare with ${relative}: ${detail}`);
    }
    expected = stripRestrictLines(readFileSync(dumpFile, 'utf8'));
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
  const expectedDir = path.join(config.stateDir, 'check');
  mkdirSync(expectedDir, { recursive: true });
  const expectedFile = path.join(expectedDir, 'schema.sql');
  writeFileSync(expectedFile, expected);
  const expectedRelative = path.relative(config.projectDir, expectedFile);
  if (!existsSync(config.schemaFile)) {
    return [{
      stage: 'generated', rule: 'schema-file', file: relative,
      message: `missing; commit the schema the migrations produce (written to ${expectedRelative}: cp ${expectedRelative} ${relative})`,
    }];
  }
  const actual = readFileSync(config.schemaFile, 'utf8').replace(/\r\n/g, '\n');
  if (actual === expected) return [];
  const a = actual.split('\n');
  const e = expected.split('\n');
  const index = e.findIndex((line, i) => line !== a[i]);
  const line = index === -1 ? e.length + 1 : index + 1;
  const found = a[line - 1];
  const wanted = e[line - 1];
  const detail = wanted === undefined ? `ends at line ${e.length - 1} but has more`
    : found === undefined ? `expected "${wanted.slice(0, 80)}" but the file ends` : `expected "${wanted.slice(0, 80)}", found "${found.slice(0, 80)}"`;
  return [{
    stage: 'generated', rule: 'schema-file', file: relative, line,
    message: `out of date with the migrations (${detail}); the schema the migrations produce is in ${expectedRelative}: cp ${expectedRelative} ${relative}, or run rb upgrade on a fresh local database`,
  }];
}
