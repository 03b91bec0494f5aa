/**
 * `make test`: runs uvu with the given arguments, then proves the run left nothing behind: no
 * temporary files and, on a TEST_DATABASE_URL server, no test databases. Only this run's things
 * are counted (several runs may share the machine and the server): the run gets its own TMPDIR
 * and its own id (RB_TEST_RUN), which prefixes every test database name (test/support/temp.ts).
 * Leftovers are listed, then removed, and the run fails.
 *
 *   node --import tsx test/support/clean-run.ts test '.*\.test\.ts$'
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { withClient } from '../../src/client.ts';
import { quoteIdent } from '../../src/local-db/ensure-database.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const runId = randomBytes(4).toString('hex');
const runDir = mkdtempSync(path.join(os.tmpdir(), `rb-test-run-${runId}-`));
chmodSync(runDir, 0o1777); // as /tmp is: under root, some test processes run as an unprivileged user
const prefix = `rbt_${runId}_`;
const serverUrl = process.env.TEST_DATABASE_URL;

const runDatabases = (): Promise<string[]> =>
  serverUrl
    ? withClient(serverUrl, async (sql) =>
        (await sql<{ datname: string }[]>`select datname from pg_database where starts_with(datname, ${prefix}) order by 1`).map((r) => r.datname))
    : Promise.resolve([]);

/** tsx keeps its transform cache in the temporary directory by design (/tmp/tsx-<uid>), shared by runs. */
const TSX_CACHE = /^tsx-\d+$/;

function listFiles(dir: string, limit = 20): string[] {
  const found: string[] = [];
  for (const top of readdirSync(dir, { withFileTypes: true })) {
    if (TSX_CACHE.test(top.name) && top.isDirectory()) continue;
    found.push(top.name + (top.isDirectory() ? '/' : ''));
    if (top.isDirectory()) {
      for (const entry of readdirSync(path.join(dir, top.name), { withFileTypes: true, recursive: true })) {
        found.push(path.relative(dir, path.join(entry.parentPath, entry.name)) + (entry.isDirectory() ? '/' : ''));
      }
    }
  }
  return found.slice(0, limit);
}

const code = await new Promise<number>((resolve, reject) => {
  // temp.ts first, so even a test file that imports no support module writes under the run's TMPDIR.
  const preload = ['--import', 'tsx', '--import', pathToFileURL(path.join(repoRoot, 'test', 'support', 'temp.ts')).href];
  const child = spawn(process.execPath, [...preload, path.join(repoRoot, 'node_modules', 'uvu', 'bin.js'), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, RB_TEST_RUN: runId, TMPDIR: runDir },
  });
  // Ctrl-C reaches the test process too (same process group): wait for it to clean up, then check.
  const ignore = () => {};
  process.on('SIGINT', ignore);
  process.on('SIGTERM', ignore);
  child.on('error', reject);
  child.on('close', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 + os.constants.signals[signal] : 1)));
});

const files = listFiles(runDir);
const databases = await runDatabases();
rmSync(runDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
if (serverUrl && databases.length > 0) {
  await withClient(serverUrl, async (sql) => {
    for (const name of databases) await sql.unsafe(`drop database if exists ${quoteIdent(name)} with (force)`);
  });
}

const where = serverUrl ? ' and no test databases on TEST_DATABASE_URL' : ' (test databases lived in a per-process server, removed with it)';
if (files.length === 0 && databases.length === 0) {
  console.log(`clean-run: the tests left nothing behind: no temporary files${where}`);
  process.exit(code);
}
console.error('clean-run: the tests left things behind (now removed); make the test or the code that created them clean up:');
for (const file of files) console.error(`  temporary file: ${path.join(runDir, file)}`);
for (const name of databases) console.error(`  database: ${name}`);
process.exit(code === 0 ? 1 : code);
