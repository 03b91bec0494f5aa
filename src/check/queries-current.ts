import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { generateTypes } from '../types/generate-types.ts';
import { PGTYPED_CONFIG_FILE } from '../types/pgtyped-config.ts';
import type { Finding } from './finding.ts';

export interface QueriesCheck {
  findings: Finding[];
  /** Query files compared (0 when the project has no pgtyped config). */
  files: number;
}

/**
 * Stage 4, second half: queries/*.queries.ts match what `rb types` generates (this is
 * `rb types --check`, run in-process: its own shadow database migrated from scratch, its cache).
 * A project without pgtyped.config.json has no generated query types to check.
 */
export async function checkQueriesCurrent(config: Config, serverUrl: string): Promise<QueriesCheck> {
  if (!existsSync(path.join(config.projectDir, PGTYPED_CONFIG_FILE))) return { findings: [], files: 0 };
  const result = await generateTypes(config, { check: true, serverUrl: async () => serverUrl });
  const findings: Finding[] = result.problems.map((p) => ({
    stage: 'generated', rule: 'invalid-query', file: p.file, line: p.line,
    message: `${p.query ? `query ${p.query}: ` : ''}${p.message}`,
  }));
  for (const f of result.files) {
    if (f.status === 'stale' || f.status === 'missing') {
      findings.push({
        stage: 'generated', rule: 'query-types', file: f.output,
        message: `${f.status === 'missing' ? 'missing' : 'out of date'}: it differs from what rb types generates from ${f.source}; run rb types and commit the result`,
      });
    } else if (f.status === 'orphan') {
      findings.push({
        stage: 'generated', rule: 'query-types', file: f.output,
        message: `its query file ${f.source} no longer exists; delete it (rb types does)`,
      });
    }
  }
  return { findings, files: result.files.filter((f) => f.status !== 'orphan').length };
}
