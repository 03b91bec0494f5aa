import { readFileSync } from 'node:fs';

/** The toolkit's version from its package.json (beside the sources, above dist/ and dist/cli/). */
export function toolkitVersion(): string {
  for (const candidate of ['./package.json', '../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(candidate, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@rbsql/cli' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}
