import os from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rbSessionName, rbSessionPattern, sessionOwner } from '../../src/session-names.ts';
import { schemaFileVersions } from '../../src/migrations/schema-file-versions.ts';

test('rbSessionName: `rb <what> (pid N on host)`; a long what is cut so the pid and host stay whole, within 63 bytes', () => {
  assert.is(rbSessionName('dbmate', 4242), `rb dbmate (pid 4242 on ${os.hostname()})`);
  const long = rbSessionName(`run-script backfill/${'x'.repeat(80)}.ts`, 99999999); // no such process
  assert.ok(Buffer.byteLength(long) <= 63, long);
  assert.ok(long.endsWith(` (pid 99999999 on ${os.hostname()})`), long);
  assert.ok(long.startsWith('rb run-script backfill/xxx'), long);
  assert.equal(sessionOwner(long), { what: long.slice(3, long.indexOf(' (pid ')), pid: 99999999, host: os.hostname(), state: 'gone' });
  assert.is(rbSessionPattern('run-script '), 'rb run-script %');
  assert.is(rbSessionPattern('dbmate (pid '), 'rb dbmate (pid %');
});

test('sessionOwner: this run, a running process, another host, not an rb name', () => {
  assert.is(sessionOwner(rbSessionName('dbmate'))?.state, 'this-run');
  assert.is(sessionOwner(rbSessionName('dbmate', process.ppid))?.state, 'running');
  assert.is(sessionOwner('rb dbmate (pid 4242 on some-other-host)')?.state, 'elsewhere');
  assert.is(sessionOwner('rb'), undefined);
  assert.is(sessionOwner('psql'), undefined);
});

test("schemaFileVersions reads dbmate's closing INSERT INTO public.schema_migrations", () => {
  const dump = "CREATE TABLE public.t (id int);\n\n--\n-- Dbmate schema migrations\n--\n\nINSERT INTO public.schema_migrations (version) VALUES\n    ('20240101000001'),\n    ('20240101000002');\n";
  assert.equal(schemaFileVersions(dump), ['20240101000001', '20240101000002']);
  assert.equal(schemaFileVersions("INSERT INTO public.schema_migrations (version) VALUES ('1'), ('2');\n"), ['1', '2']);
  assert.equal(schemaFileVersions('CREATE TABLE public.t (id int);\n'), []);
});

test.run();
