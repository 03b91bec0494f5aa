import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, repoRoot } from '../support/databases.ts';
import { migration, startRb, tempProject } from '../support/project.ts';

const USER_SQL = '/* @name GetUserById */\nSELECT id, email FROM "user" WHERE id = :id!;\n';

test('rb types --watch regenerates on a query change, reports a bad query and keeps going, rebuilds on a migration', async () => {
  const cwd = tempProject();
  cpSync(path.join(repoRoot, 'db', 'migrations'), path.join(cwd, 'db', 'migrations'), { recursive: true });
  cpSync(path.join(repoRoot, 'pgtyped.config.json'), path.join(cwd, 'pgtyped.config.json'));
  mkdirSync(path.join(cwd, 'queries'));
  writeFileSync(path.join(cwd, 'queries', 'user.sql'), USER_SQL);
  const watch = startRb(['types', '--watch'], { cwd, env: { DATABASE_URL: await createEmptyDatabase('types-watch') } });

  try {
    await watch.waitFor('stdout', /1 query file\(s\): 1 written, 0 unchanged/);
    assert.match(watch.stdout(), /^Watching queries, db\/migrations and pgtyped\.config\.json \(Ctrl-C stops\)\n/);

    writeFileSync(path.join(cwd, 'queries', 'user.sql'), `${USER_SQL}\n/* @name GetEmail */\nSELECT email FROM "user" WHERE id = :id!;\n`);
    await watch.waitFor('stdout', /Wrote queries\/user\.queries\.ts/, 2);
    assert.match(readFileSync(path.join(cwd, 'queries', 'user.queries.ts'), 'utf8'), /export const getEmail = /);

    writeFileSync(path.join(cwd, 'queries', 'bad.sql'), '/* @name Bad */\nSELECT missing_column FROM "user";\n');
    await watch.waitFor('stderr', /queries\/bad\.sql:2: query Bad: column "missing_column" does not exist/);
    await watch.waitFor('stderr', /rb: 1 invalid query in 1 file\(s\); nothing was written/);

    writeFileSync(path.join(cwd, 'queries', 'bad.sql'), '/* @name Bad */\nSELECT nickname FROM "user";\n');
    writeFileSync(path.join(cwd, 'db', 'migrations', '20250101000000_nickname.sql'),
      migration('alter table app."user" add column nickname text;', 'alter table app."user" drop column nickname;'));
    await watch.waitFor('stdout', /Rebuilt the shadow database/, 2);
    await watch.waitFor('stdout', /Wrote queries\/bad\.queries\.ts/);
    assert.match(readFileSync(path.join(cwd, 'queries', 'bad.queries.ts'), 'utf8'), /nickname: string \| null;/);
    assert.is(watch.exited(), undefined, 'still watching');
  } finally {
    watch.child.kill('SIGTERM');
  }
});

test.run();
