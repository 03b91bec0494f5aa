import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, repoRoot } from '../support/databases.ts';
import { migration, rbBin, tempProject } from '../support/project.ts';

const USER_SQL = '/* @name GetUserById */\nSELECT id, email FROM "user" WHERE id = :id!;\n';

test('rb types --watch regenerates on a query change, reports a bad query and keeps going, rebuilds on a migration', async () => {
  const cwd = tempProject();
  cpSync(path.join(repoRoot, 'db', 'migrations'), path.join(cwd, 'db', 'migrations'), { recursive: true });
  cpSync(path.join(repoRoot, 'pgtyped.config.json'), path.join(cwd, 'pgtyped.config.json'));
  mkdirSync(path.join(cwd, 'queries'));
  writeFileSync(path.join(cwd, 'queries', 'user.sql'), USER_SQL);
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: await createEmptyDatabase('types-watch') };
  const child = spawn(process.execPath, [rbBin, 'types', '--watch'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  let exited: number | null | undefined;
  child.on('close', (code) => (exited = code));

  /** Waits until `pattern` has matched `count` times in the stream. */
  async function waitFor(stream: () => string, pattern: RegExp, count = 1, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while ((stream().match(new RegExp(pattern, 'g')) ?? []).length < count) {
      if (exited !== undefined) throw new Error(`rb types --watch exited (${exited}): ${stdout}\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  try {
    await waitFor(() => stdout, /1 query file\(s\): 1 written, 0 unchanged/);
    assert.match(stdout, /^Watching queries, db\/migrations and pgtyped\.config\.json \(Ctrl-C stops\)\n/);

    writeFileSync(path.join(cwd, 'queries', 'user.sql'), `${USER_SQL}\n/* @name GetEmail */\nSELECT email FROM "user" WHERE id = :id!;\n`);
    await waitFor(() => stdout, /Wrote queries\/user\.queries\.ts/, 2);
    assert.match(readFileSync(path.join(cwd, 'queries', 'user.queries.ts'), 'utf8'), /export const getEmail = /);

    writeFileSync(path.join(cwd, 'queries', 'bad.sql'), '/* @name Bad */\nSELECT missing_column FROM "user";\n');
    await waitFor(() => stderr, /queries\/bad\.sql:2: query Bad: column "missing_column" does not exist/);
    await waitFor(() => stderr, /rb: 1 invalid query in 1 file\(s\); nothing was written/);

    writeFileSync(path.join(cwd, 'queries', 'bad.sql'), '/* @name Bad */\nSELECT nickname FROM "user";\n');
    writeFileSync(path.join(cwd, 'db', 'migrations', '20250101000000_nickname.sql'),
      migration('alter table app."user" add column nickname text;', 'alter table app."user" drop column nickname;'));
    await waitFor(() => stdout, /Rebuilt the shadow database/, 2);
    await waitFor(() => stdout, /Wrote queries\/bad\.queries\.ts/);
    assert.match(readFileSync(path.join(cwd, 'queries', 'bad.queries.ts'), 'utf8'), /nickname: string \| null;/);
    assert.is(exited, undefined, 'still watching');
  } finally {
    child.kill('SIGTERM');
  }
});

test.run();
