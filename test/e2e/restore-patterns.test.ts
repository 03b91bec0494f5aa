// The restore's parsers and URL conversion (one check runs psql against the test server).
// Kept under test/e2e/restore* by file ownership; the pure ones may move to test/unit/.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseToc } from '../../src/restore/archive-toc.ts';
import { tablePattern } from '../../src/restore/table-pattern.ts';
import { libpqTarget } from '../../src/restore/pg-tools.ts';

test('table patterns follow pg_dump: schema optional, * and ?, case folding, quotes', () => {
  const t = (pattern: string, schema: string, name: string) => tablePattern(pattern)(schema, name);
  assert.ok(t('audit_log', 'app', 'audit_log'));
  assert.ok(t('audit_log', 'other', 'audit_log'), 'no schema: any schema');
  assert.not.ok(t('app.audit_log', 'other', 'audit_log'));
  assert.ok(t('app.audit_*', 'app', 'audit_2024'));
  assert.not.ok(t('app.audit_*', 'app', 'my_audit_2024'), 'anchored');
  assert.ok(t('app.t?', 'app', 't1'));
  assert.not.ok(t('app.t?', 'app', 't12'));
  assert.ok(t('APP.User', 'app', 'user'), 'unquoted letters fold to lower case');
  assert.not.ok(t('app."User"', 'app', 'user'), 'quotes keep case');
  assert.ok(t('app."User"', 'app', 'User'));
  assert.ok(t('"my.schema"."a*b"', 'my.schema', 'a*b'), 'quotes make dots and stars literal');
  assert.not.ok(t('"my.schema"."a*b"', 'my.schema', 'axxb'));
  assert.not.ok(t('app.a+b', 'app', 'aab'), 'other regex characters are literal');
  assert.throws(() => tablePattern('a.b.c'), /--exclude-table-data "a.b.c" is not a table pattern; use table, schema.table or wildcards such as app.audit_\*/);
  assert.throws(() => tablePattern('"open'), /is not a table pattern/);
});

test('pg_restore --list lines parse into kind, schema, name; header versions are read', () => {
  const toc = parseToc('x.dump', [
    ';     Dumped from database version: 15.18',
    ';     Dumped by pg_dump version: 15.18 (Debian 15.18-0+deb12u1)',
    ';',
    '3290; 0 16412 TABLE DATA app event postgres',
    '3297; 0 0 SEQUENCE SET app event_id_seq postgres',
    '3139; 2606 16419 CONSTRAINT app event event_pkey postgres',
    '220; 1259 16412 TABLE app my table postgres',
    '3141; 2606 16420 FK CONSTRAINT app event event_my_model_id_fkey postgres',
  ].join('\n'));
  assert.is(toc.dumpedFrom, '15.18');
  assert.is(toc.dumpedBy, '15.18 (Debian 15.18-0+deb12u1)');
  assert.equal(toc.entries.map((e) => [e.dumpId, e.kind, e.schema, e.name]), [
    [3290, 'TABLE DATA', 'app', 'event'],
    [3297, 'SEQUENCE SET', 'app', 'event_id_seq'],
    [3139, 'CONSTRAINT', 'app', 'event event_pkey'],
    [220, 'TABLE', 'app', 'my table'],
    [3141, 'FK CONSTRAINT', 'app', 'event event_my_model_id_fkey'],
  ]);
});

test('libpq targets carry no password on the command line; run-time parameters become options', () => {
  const t = libpqTarget('postgres://me:s%40cret@db.example.com:6543/app?sslmode=require&lock_timeout=1500');
  assert.is(t.url, 'postgres://me@db.example.com:6543/app?sslmode=require&options=-c%20lock_timeout%3D1500');
  assert.is(t.env.PGPASSWORD, 's@cret');
});

test('libpq takes the converted URL: the run-time parameter reaches the server', async () => {
  const { testServer } = await import('../support/server.ts');
  const { runProcess } = await import('../../src/process.ts');
  const { adminUrl } = await testServer();
  const url = new URL(adminUrl);
  url.searchParams.set('lock_timeout', '1500');
  const t = libpqTarget(url.toString());
  const result = await runProcess('psql', ['--no-psqlrc', '--tuples-only', '--command', 'show lock_timeout', t.url], { env: t.env });
  assert.is(result.stderr, '');
  assert.is(result.stdout.trim(), '1500ms');
});

test.run();
