import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDotenv } from '@rbsql/runtime/project';
import { loadConfig } from '../../src/config.ts';
import { RefusedError, UsageError } from '../../src/errors.ts';
import { describeUrl, maskUrl, parseDatabaseUrl } from '../../src/target/database-url.ts';
import { guardProduction } from '../../src/target/prod-guard.ts';
import { resolveTarget, type Target } from '../../src/target/resolve-target.ts';

test('maskUrl hides passwords wherever a URL appears in text', () => {
  assert.is(maskUrl('postgres://app:s3cr%40t@db.example.com:5432/app'), 'postgres://app:****@db.example.com:5432/app');
  assert.is(maskUrl('failed: postgresql://u:p@h/d and postgres://x@h/d'), 'failed: postgresql://u:****@h/d and postgres://x@h/d');
  assert.is(describeUrl('postgres://app:pw@db:6543/prod'), 'app@db:6543/prod');
});

test('maskUrl: the password runs to the last @ of the URL; password= values are hidden too', () => {
  const cases: [string, string][] = [
    ['postgres://deploy:p@ss@host/db', 'postgres://deploy:****@host/db'],
    ['error: postgres://deploy:p@ss@word@vm:55612/shop: refused', 'error: postgres://deploy:****@vm:55612/shop: refused'],
    ['postgres://u:pa:ss@h/d', 'postgres://u:****@h/d'],
    ['postgres://u:pa/ss@h/d', 'postgres://u:****@h/d'],
    ["postgres://u:sub!$&'()*+,;=x@h/d", 'postgres://u:****@h/d'],
    ['postgres://u:p%40ss%20x@h/d?sslmode=disable', 'postgres://u:****@h/d?sslmode=disable'],
    ['POSTGRESQL://U:PW@H/D', 'POSTGRESQL://U:****@H/D'],
    ['postgres://u:@h/d', 'postgres://u:@h/d'],
    ['postgres://u@h/d', 'postgres://u@h/d'],
    ['host=h password=s3cret dbname=d', 'host=h password=**** dbname=d'],
    ["host=h password='two words' dbname=d", 'host=h password=**** dbname=d'],
    ['PGPASSWORD=s3cret pg_dump', 'PGPASSWORD=**** pg_dump'],
    ['postgres://u@h/d?password=s3cret&sslmode=disable', 'postgres://u@h/d?password=****&sslmode=disable'],
    ['(password=****) masked twice', '(password=****) masked twice'],
  ];
  for (const [text, masked] of cases) assert.is(maskUrl(text), masked, text);
});

test('parseDatabaseUrl reads percent-encoding as libpq and dbmate do', () => {
  assert.equal(parseDatabaseUrl('postgres://user%40server:p%40ss@db.example.com:6543/my%20db'), {
    host: 'db.example.com', port: 6543, database: 'my db', user: 'user@server',
  });
  for (const url of ['postgres://deploy:p@ss@host/db', 'postgres://u:p ss@h/d', 'postgres://u:100%@h/d', 'postgres://u:pä@h/d', 'postgres://u:a/b@h/d', 'postgres://u:a#b@h/d', 'postgres://user@server:pw@h/d']) {
    assert.throws(() => parseDatabaseUrl(url, 'DATABASE_URL'), (error: Error) => error instanceof UsageError && error.message.includes('percent-encode it') && !/p@ss|p ss|100%|pä|a\/b|a#b|:pw@/.test(error.message), url);
  }
});

test('.env values: quotes, comments, export', () => {
  assert.equal(parseDotenv('# c\nexport A=1\nB="two words"\nC=three # note\nD=\'x#y\'\n'), { A: '1', B: 'two words', C: 'three', D: 'x#y' });
});

test('the environment wins over .env; --prod uses only PROD_DATABASE_URL', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rb-config-'));
  writeFileSync(path.join(dir, 'package.json'), '{}');
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
    announce: () => {},
    confirm: async (summary, expected) => {
      shown = summary;
      return expected;
    },
  });
  assert.match(shown, 'url:      postgres://app:****@db.example.com:5432/shop');
  assert.match(shown, '  - apply 1_a.sql');
  try {
    await guardProduction(prodTarget, { action: 'x', plan: [], announce: () => {}, confirm: async () => 'shopp' });
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
  const announced: string[] = [];
  await guardProduction(prodTarget, { action: 'x', plan: [], yes: true, confirm, announce: (summary) => announced.push(summary) });
  await guardProduction({ ...prodTarget, kind: 'url', isProduction: false }, { action: 'x', plan: [], confirm, announce: (summary) => announced.push(summary) });
  assert.is(asked, 0);
  assert.is(announced.length, 1, 'only production is announced, with --yes');
  assert.match(announced[0], /^PRODUCTION: x\n[\s\S]*\nConfirmed by --yes\.$/);
});

test.run();
