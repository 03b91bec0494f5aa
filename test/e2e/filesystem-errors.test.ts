/**
 * A project rb cannot write (a read-only mount, an immutable folder) is the machine's state, not a
 * bug in rb: one line naming the file (relative to the project), the cause and the fix, exit 2, no
 * stack trace. The tests run as root, which ignores mode bits: they use a read-only bind mount and
 * `chattr +i`, undone in `finally` and again at exit (a failed assertion must not leave them).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, cpSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, repoRoot } from '../support/databases.ts';
import { runRb, startRb, tempProject } from '../support/project.ts';
import { onTestExit, tempDir } from '../support/temp.ts';

const CONFIG = JSON.stringify({
  transforms: [{ mode: 'sql', include: '**/*.sql', emitTemplate: '{{dir}}/{{name}}.queries.ts' }],
  srcDir: './queries/',
});

function project(): string {
  const cwd = tempProject();
  cpSync(path.join(repoRoot, 'db', 'migrations'), path.join(cwd, 'db', 'migrations'), { recursive: true });
  writeFileSync(path.join(cwd, 'pgtyped.config.json'), CONFIG);
  mkdirSync(path.join(cwd, 'queries'));
  writeFileSync(path.join(cwd, 'queries', 'user.sql'), '/* @name GetUserById */\nSELECT id, email FROM "user" WHERE id = :id!;\n');
  return cwd;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stderr}`);
}

/** `work` in a read-only bind mount of `dir` (unmounted afterwards, and at exit if a test fails). */
async function readOnly<T>(dir: string, work: (mounted: string) => Promise<T>): Promise<T> {
  const mounted = tempDir('read-only-');
  run('mount', ['--bind', '-o', 'ro', dir, mounted]);
  const unmount = () => spawnSync('umount', [mounted]);
  onTestExit(unmount);
  try {
    return await work(mounted);
  } finally {
    unmount();
  }
}

/** `work` with `file` immutable (chattr +i: even root cannot write it), made mutable again afterwards. */
async function immutable<T>(file: string, work: () => Promise<T>): Promise<T> {
  run('chattr', ['+i', file]);
  const undo = () => spawnSync('chattr', ['-i', file]);
  onTestExit(undo);
  try {
    return await work();
  } finally {
    undo();
  }
}

const WRITABLE = 'rb writes generated files, db/schema.sql and .rb/ in the project: make them writable';

test('rb types in a read-only project: the query file it cannot write, the cause and the fix, exit 2', async () => {
  const cwd = project();
  const env = { DATABASE_URL: await createEmptyDatabase('fs-types') };
  const first = await runRb(['types'], { cwd, env });
  assert.is(first.code, 0, first.stderr);
  writeFileSync(path.join(cwd, 'queries', 'user.sql'), '/* @name GetUserById */\nSELECT id FROM "user" WHERE id = :id!;\n');
  await readOnly(cwd, async (mounted) => {
    const types = await runRb(['types'], { cwd: mounted, env });
    assert.is(types.stderr, `rb: cannot write queries/user.queries.ts: read-only file system (EROFS); ${WRITABLE}\n`);
    assert.is(types.code, 2);
    // From a folder inside the project, the path is still the project's.
    const inside = await runRb(['types'], { cwd: path.join(mounted, 'queries'), env });
    assert.is(inside.stderr, types.stderr);
    assert.is(inside.code, 2);
  });
});

test('rb types --check in a read-only project names the cache file it cannot write', async () => {
  const cwd = project();
  const env = { DATABASE_URL: await createEmptyDatabase('fs-check') };
  const first = await runRb(['types'], { cwd, env });
  assert.is(first.code, 0, first.stderr);
  // As in CI: no cache, so the check generates and records what it found.
  rmSync(path.join(cwd, '.rb', 'types-cache.json'));
  await readOnly(cwd, async (mounted) => {
    const started = startRb(['types', '--check'], { cwd: mounted, env });
    const check = await started.done;
    assert.is(check.stderr, `rb: cannot write .rb/types-cache.json.${started.child.pid}.tmp: read-only file system (EROFS); ${WRITABLE}\n`);
    assert.is(check.code, 2);
  });
});

test('rb types with an immutable .rb/ (chattr +i): operation not permitted, the fix names chattr', async () => {
  const cwd = project();
  const env = { DATABASE_URL: await createEmptyDatabase('fs-immutable') };
  const first = await runRb(['types'], { cwd, env });
  assert.is(first.code, 0, first.stderr);
  rmSync(path.join(cwd, '.rb', 'types-cache.json'));
  await immutable(path.join(cwd, '.rb'), async () => {
    const started = startRb(['types', '--check'], { cwd, env });
    const check = await started.done;
    assert.is(check.stderr, `rb: cannot open .rb/types-cache.json.${started.child.pid}.tmp: operation not permitted (EPERM); rb reads and writes generated files, db/schema.sql and .rb/ in the project: let the user running rb read and write them (chattr -i if they are immutable)\n`);
    assert.is(check.code, 2);
  });
});

test('rb status without DATABASE_URL in a read-only project: .rb/ cannot be made (EROFS, not Node\'s ENOENT), exit 2', async () => {
  await readOnly(tempProject(), async (mounted) => {
    const status = await runRb(['status'], { cwd: mounted, env: { RB_LOCAL_PORT: '1' } });
    assert.is(status.stderr, `rb: cannot write .rb: read-only file system (EROFS); ${WRITABLE}\n`);
    assert.is(status.code, 2);
  });
});

/** `work` on a copy of `dir` in a small tmpfs of its own (unmounted afterwards, and at exit). */
async function onSmallDisk<T>(dir: string, work: (copy: string) => Promise<T>): Promise<T> {
  const mounted = tempDir('small-disk-');
  run('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mounted]);
  const unmount = () => spawnSync('umount', [mounted]);
  onTestExit(unmount);
  try {
    cpSync(dir, path.join(mounted, 'app'), { recursive: true });
    return await work(path.join(mounted, 'app'));
  } finally {
    unmount();
  }
}

/** Writes to `file` until the disk is full: 64 KiB at a time, then the last bytes one by one. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const size of [64 * 1024, 1]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
}

test('rb types on a full disk: no space left on device, free space, exit 2 (a write has no path to name)', async () => {
  const cwd = project();
  const env = { DATABASE_URL: await createEmptyDatabase('fs-full') };
  const first = await runRb(['types'], { cwd, env });
  assert.is(first.code, 0, first.stderr);
  await onSmallDisk(cwd, async (copy) => {
    writeFileSync(path.join(copy, 'queries', 'user.sql'), '/* @name GetUserById */\nSELECT id FROM "user" WHERE id = :id!;\n');
    fillDisk(path.join(copy, 'filler'));
    const types = await runRb(['types'], { cwd: copy, env });
    assert.is(types.stderr, 'rb: cannot write a file: no space left on device (ENOSPC); free space on the disk of the project (or of the temporary folder, TMPDIR) and run it again\n');
    assert.is(types.code, 2);
  });
});

test.run();
