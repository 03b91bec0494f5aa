import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { positionalParameterWarnings } from '../../src/types/query-warnings.ts';

const tail = (used: string, them = false) =>
  `uses ${used}: pgtyped types only named parameters, so the generated query takes no value for ${them ? 'them' : 'it'} and fails when it runs; write :name (e.g. :id!) instead`;

test('$n outside strings, comments, dollar quotes and identifiers is named with its line, and with its query when an annotation precedes it', () => {
  const sql = [
    '/* @name A uses $9 in its comment */',
    "select 'a $1', E'b\\' $2', \"col$3\", x$4, $$ $5 $$, $tag$ $6 $tag$ -- $7",
    'from t;',
    '',
    '/* @name B */',
    'select * from t',
    '  where id = $1 and other = $10;',
    '',
    'select $2;',
  ].join('\n');
  assert.equal(positionalParameterWarnings('q.sql', sql), [
    `q.sql:7: query B ${tail('$1, $10', true)}`,
    `q.sql:9: ${tail('$2')}`,
  ]);
});

test('a file without placeholders gives no warning', () => {
  assert.equal(positionalParameterWarnings('q.sql', '/* @name A */\nselect :id!::int;\n'), []);
});

test.run();
