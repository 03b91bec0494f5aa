import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig, parseDotenv } from '../../src/config.ts';
import { RefusedError, UsageError } from '../../src/errors.ts';
import { describeUrl, maskUrl, sameDatabase } from '../../src/target/database-url.ts';
import { guardProduction } from '../../src/target/prod-guard.ts';
import { resolveTarget, type Target } from '../../src/target/resolve-target.ts';

test('maskUrl hides passwords wherever a URL appears in text', () => {
  assert.is(maskUrl('postgres://app:s3cr%40t@db.example.com:5432/app'), 'postgres://app:****@db.example.com:5432/app');
  assert.is(maskUrl('failed: postgresql://u:p@h/d and postgres://x@h/d'), 'failed: postgresql://u:****@h/d and postgres://x@h/d');
  assert.is(describeUrl('postgres://app:pw@db:6543/prod'), 'app@db:6543/prod');
});

test('sameDatabase treats localhost and 127.0.0.1 alike', () => {
  assert.ok(sameDatabase('postgres://a@localhost:5432/x', 'postgres://b:pw@127.0.0.1/x'));
  assert.not.ok(sameDatabase('postgres://a@localhost:5432/x', 'postgres://a@localhost:5432/y'));
});

test('.env values: quotes, comments, export', () => {
  assert.equal(parseDotenv('# c\nexport A=1\nB="two words"\nC=three # note\nD=\'x#y\'\n'), { A: '1', B: 'two words', C: 'three', D: 'x#y' });
});

test('the environment wins over .env; --prod uses only PROD_DATABASE_URL', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-config-'));
  writeFileSync(path.join(dir, '.env'), 'DATABASE_URL=postgres://dotenv@h/d\nPROD_DATABASE_URL=postgres://prod:pw@p/app\n');
  const config = loadConfig(dir, { DATABASE_URL: 'postgres://env@h/d' });
  assert.is(config.databaseUrl, 'postgres://env@h/d');
  const prod = await resolveTarget(config, { prod: true });
  assert.equal([prod.kind, prod.url, prod.isProduction], ['prod', 'postgres://prod:pw@p/app', true]);
  const local = await resolveTarget(config, {});
  assert.equal([local.kind, local.isProduction], ['url', false]);
  try {
    await resolveTarget(config, { prod: true, databaseUrl: 'postgres://x@h/d' });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, UsageError);
  }
});

test('unknown package.json "rb" keys are rejected, all problems at once', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-config-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ rb: { shemas: ['x'], localPort: 'x' } }));
  assert.throws(() => loadConfig(dir, {}), /unknown key "rb.shemas".*; "rb.localPort" must be a port number/);
});

const prodTarget: Target = { kind: 'prod', url: 'postgres://app:pw@db.example.com:5432/shop', source: 'PROD_DATABASE_URL', isProduction: true };

test('the guard goes ahead only when the database name is typed', async () => {
  let shown = '';
  await guardProduction(prodTarget, {
    action: 'apply migrations',
    plan: ['apply 1_a.sql'],
    confirm: async (summary, expected) => {
      shown = summary;
      return expected;
    },
  });
  assert.match(shown, 'url:      postgres://app:****@db.example.com:5432/shop');
  assert.match(shown, '  - apply 1_a.sql');
  try {
    await guardProduction(prodTarget, { action: 'x', plan: [], confirm: async () => 'shopp' });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, RefusedError);
    assert.is((error as Error).message, 'production not touched: you typed "shopp", not the database name "shop"');
  }
});

test('--yes skips the question; local targets are never asked', async () => {
  let asked = 0;
  const confirm = async () => {
    asked += 1;
    return null;
  };
  await guardProduction(prodTarget, { action: 'x', plan: [], yes: true, confirm });
  await guardProduction({ ...prodTarget, kind: 'url', isProduction: false }, { action: 'x', plan: [], confirm });
  assert.is(asked, 0);
});

test.run();
