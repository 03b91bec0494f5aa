// Bundles the parts of pgtyped 2.4 that `rb types` drives (its generator, parser, wire client and
// config helpers, unchanged) into dist/vendor/pgtyped.cjs, run by `npm run build` after tsc.
// CommonJS, so that rb can run it with V8's code cache (src/types/code-cache.ts).
//
// Why: loaded from node_modules, those modules cost ~300-400 ms per run here: Node imports
// antlr4ts (CommonJS, ~300 files) from pgtyped's ES modules by lexing every file for its exports,
// and keeping the generator from loading the TypeScript compiler needed a module hook, which starts
// a loader thread. One pre-bundled file loads in ~50 ms (Vite pre-bundles dependencies for the same
// reason). The code is pgtyped's own, from the exact versions in package.json; the two gaps rb
// closes are settled here at build time instead of at run time:
// - pgtyped's generator imports its TypeScript-file parser, which imports `typescript`; rb only
//   drives the sql mode, which never calls it: that import gets a stand-in that throws if used;
// - @pgtyped/cli imports @pgtyped/runtime without declaring it: it is resolved from rb's package.
// Plain JavaScript, like bin/rb.js: it runs before anything is built.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outDir = path.join(packageDir, 'dist', 'vendor');

/** A package's directory as Node finds it from `fromDir` (hoisted or nested installs). */
function packageDirOf(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`cannot find ${name} from ${fromDir}`);
  }
}

const cliDir = packageDirOf('@pgtyped/cli', packageDir);
const runtimeEntry = fileURLToPath(import.meta.resolve('@pgtyped/runtime')); // its ES module build
// @pgtyped/cli exports only its CLI entry; its other modules sit beside it in lib/.
const entry = `
export { generateTypedecsFromFile, generateDeclarationFile } from './generator.js';
export { TypeAllocator, TypeMapping } from './types.js';
export { stringToType } from './config.js';
export { parseSQLFile, queryASTToIR } from '@pgtyped/parser';
export { startup } from '@pgtyped/query';
export { AsyncQueue } from '@pgtyped/wire';
export { processSQLQueryIR } from '@pgtyped/runtime';
`;

const TYPESCRIPT_STAND_IN = `export default new Proxy({}, { get(_, key) {
  throw new Error('rb bundles pgtyped without TypeScript (sql mode only); typescript.' + String(key) + ' is not available');
} });`;

const result = await esbuild.build({
  stdin: { contents: entry, resolveDir: path.join(cliDir, 'lib'), sourcefile: 'pgtyped-entry.js', loader: 'js' },
  absWorkingDir: packageDir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: path.join(outDir, 'pgtyped.cjs'),
  // pgtyped's config module calls createRequire(import.meta.url), which CommonJS spells with __filename.
  define: { 'import.meta.url': '__rbImportMetaUrl' },
  metafile: true,
  logLevel: 'warning',
  banner: { js: "var __rbImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [{
    name: 'rb-pgtyped',
    setup(build) {
      build.onResolve({ filter: /^typescript$/ }, (args) => {
        if (!args.importer.endsWith(`${path.sep}parseTypescript.js`)) throw new Error(`unexpected import of typescript from ${args.importer}`);
        return { path: 'typescript', namespace: 'rb-stand-in' };
      });
      build.onLoad({ filter: /.*/, namespace: 'rb-stand-in' }, () => ({ contents: TYPESCRIPT_STAND_IN, loader: 'js' }));
      build.onResolve({ filter: /^@pgtyped\/runtime$/ }, () => ({ path: runtimeEntry }));
    },
  }],
});

// The versions bundled (part of rb types' cache key), and the licenses of everything bundled.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /^(.*node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(path.resolve(packageDir, input));
  if (!match || packages.has(match[1])) continue;
  const manifest = JSON.parse(readFileSync(path.join(match[1], 'package.json'), 'utf8'));
  packages.set(match[1], manifest);
}
mkdirSync(outDir, { recursive: true });
const versions = Object.fromEntries([...packages.values()].map((m) => [m.name, m.version]).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(path.join(outDir, 'pgtyped.json'), `${JSON.stringify({ version: versions['@pgtyped/cli'], packages: versions }, null, 2)}\n`);
const notices = [...packages.entries()].sort(([, a], [, b]) => a.name.localeCompare(b.name)).map(([dir, manifest]) => {
  const licenseFile = readdirSync(dir).find((f) => /^(licen[sc]e|copying)(\..*)?$/i.test(f));
  const text = licenseFile ? readFileSync(path.join(dir, licenseFile), 'utf8').trim() : `License: ${manifest.license ?? 'see the package'}`;
  return `${manifest.name} ${manifest.version}\n\n${text}`;
});
writeFileSync(
  path.join(outDir, 'pgtyped.LICENSES.txt'),
  `dist/vendor/pgtyped.cjs bundles these packages, unchanged (see src/build/bundle-pgtyped.js):\n\n${notices.join('\n\n---\n\n')}\n`,
);
