import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { globToRegExp, listQueryFiles, loadTypesSettings, renderEmitTemplate } from '../../src/types/pgtyped-config.ts';
import { postgresTypes, rbTypesOverrides, searchPath } from '@rbsql/runtime';
import { UsageError } from '../../src/errors.ts';

function project(config: unknown, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-types-unit-'));
  writeFileSync(path.join(dir, 'pgtyped.config.json'), typeof config === 'string' ? config : JSON.stringify(config));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

test('globToRegExp matches pgtyped include patterns', () => {
  const re = globToRegExp('**/*.sql');
  assert.ok(re.test('user.sql'));
  assert.ok(re.test('a/b/user.sql'));
  assert.not.ok(re.test('user.sql.bak'));
  assert.not.ok(re.test('user.ts'));
  assert.ok(globToRegExp('**/q?.sql').test('x/q1.sql'));
  assert.not.ok(globToRegExp('*.sql').test('x/q1.sql'));
});

test('emitTemplate renders pgtyped\'s variables and rejects unknown ones', () => {
  assert.is(renderEmitTemplate('{{dir}}/{{name}}.queries.ts', 'queries/user.sql'), 'queries/user.queries.ts');
  assert.is(renderEmitTemplate('{{ dir }}/gen/{{dir_base}}_{{name}}{{ext}}.ts', 'src/books/books.sql'), 'src/books/gen/books_books.sql.ts');
  assert.throws(() => renderEmitTemplate('{{nope}}.ts', 'a.sql'), /emitTemplate "\{\{nope\}\}\.ts" uses \{\{nope\}\}; known: root, dir, base, ext, name, dir_base/);
});

test('the config: rb defaults, the config\'s overrides win, sql transforms listed with their outputs', () => {
  const dir = project({
    transforms: [{ mode: 'sql', include: '**/*.sql', emitTemplate: '{{dir}}/{{name}}.queries.ts' }, { mode: 'ts', include: '**/*.ts' }],
    srcDir: './queries/',
    typesOverrides: { date: { return: 'Date' } },
  }, { 'queries/b.sql': '', 'queries/sub/a.sql': '', 'queries/c.txt': '', 'queries/.hidden/x.sql': '' });
  const settings = loadTypesSettings(dir);
  assert.is(settings.nonEmptyArrayParams, true);
  assert.is(settings.hungarianNotation, true);
  assert.equal(settings.typesOverrides.date, { return: 'Date' });
  assert.is(settings.typesOverrides.time, rbTypesOverrides.time);
  assert.equal(settings.ignored, ['transforms[1] (mode "ts": rb generates from .sql files only)']);
  const files = listQueryFiles(dir, settings);
  assert.equal(files.map((f) => [f.relative, path.relative(dir, f.outputPath)]), [
    ['queries/b.sql', 'queries/b.queries.ts'],
    ['queries/sub/a.sql', 'queries/sub/a.queries.ts'],
  ]);
});

test('a bad config reports every problem in one usage error naming the file', () => {
  const dir = project({ transforms: 'x', srcDir: '', nonEmptyArrayParams: 'yes', typesOverrides: { date: 3 }, extra: 1 });
  try {
    loadTypesSettings(dir);
    assert.unreachable('should throw');
  } catch (error) {
    assert.instance(error, UsageError);
    assert.is((error as Error).message,
      'pgtyped.config.json: unknown key "extra"; "srcDir" must name the directory holding the query files, e.g. "./queries/"; ' +
      '"transforms" must be a list such as [{"mode":"sql","include":"**/*.sql","emitTemplate":"{{dir}}/{{name}}.queries.ts"}]; ' +
      'typesOverrides.date must be a type name or {"parameter": ..., "return": ...}; "nonEmptyArrayParams" must be true or false');
  }
  assert.throws(() => loadTypesSettings(project('{oops')), /^pgtyped\.config\.json:1:2: not valid JSON \(Expected property name or '}'\); fix the file$/);
});

test('run-time parsers: date stays text, timestamp is UTC whatever TZ, point is [x, y]', () => {
  const saved = process.env.TZ;
  process.env.TZ = 'America/Los_Angeles';
  try {
    assert.is(postgresTypes.rbDate.parse('2024-02-29'), '2024-02-29');
    assert.is(postgresTypes.rbDate.serialize(new Date('2024-02-29T23:00:00Z')), '2024-02-29');
    assert.is((postgresTypes.rbTimestamp.parse('2024-03-01 23:30:00.25') as Date).toISOString(), '2024-03-01T23:30:00.250Z');
    assert.is(postgresTypes.rbTimestamp.serialize(new Date('2024-03-01T23:30:00Z')), '2024-03-01T23:30:00.000Z');
    assert.equal(postgresTypes.rbPoint.parse('(1.5,-2)'), [1.5, -2]);
    assert.is(postgresTypes.rbPoint.serialize([1.5, -2]), '(1.5,-2)');
    assert.is(postgresTypes.rbPoint.serialize({ x: 3, y: 4 }), '(3,4)');
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
  assert.is(searchPath(['app']), 'app, public');
  assert.is(searchPath(['App', 'public']), '"App", public');
});

test.run();
