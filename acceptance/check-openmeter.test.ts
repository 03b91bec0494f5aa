import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmptyDatabase, repoRoot } from '../test/support/databases.ts';
import { runRb, tempProject } from '../test/support/project.ts';

const source = path.join(repoRoot, '..', 'shared', 'acceptance', 'openmeter', 'tools', 'migrate', 'migrations');

/** A statement line that opens or closes a transaction of the file's own. */
const OWN_TRANSACTION = /^\s*(begin|commit)\s*;/im;

/**
 * golang-migrate pairs (<version>_<name>.up.sql / .down.sql) -> one dbmate file each. golang-migrate
 * runs a file without a wrapping transaction; dbmate wraps each section in one. A section with its
 * own BEGIN/COMMIT gets `transaction:false`, so its transaction boundaries stay the author's
 * (removing the BEGIN/COMMIT instead would merge several transactions into one). Returns the
 * versions converted and which sections got transaction:false.
 */
function convertGolangMigrate(from: string, toDir: string): { files: number; standalone: string[] } {
  const standalone: string[] = [];
  const ups = readdirSync(from).filter((f) => f.endsWith('.up.sql')).sort();
  for (const up of ups) {
    const base = up.replace(/\.up\.sql$/, '');
    const upSql = readFileSync(path.join(from, up), 'utf8');
    const downSql = readFileSync(path.join(from, `${base}.down.sql`), 'utf8');
    const marker = (kind: 'up' | 'down', sql: string) => {
      if (!OWN_TRANSACTION.test(sql)) return `-- migrate:${kind}`;
      standalone.push(`${base} ${kind}`);
      return `-- migrate:${kind} transaction:false`;
    };
    writeFileSync(path.join(toDir, `${base}.sql`), `${marker('up', upSql)}\n${upSql.trimEnd()}\n\n${marker('down', downSql)}\n${downSql.trimEnd()}\n`);
  }
  return { files: ups.length, standalone };
}

test('rb check on openmeter (269 golang-migrate pairs converted): every up and down runs; the downs that do not restore the schema are named', async () => {
  const cwd = tempProject();
  const converted = convertGolangMigrate(source, path.join(cwd, 'db', 'migrations'));
  assert.is(converted.files, 269);
  // SOURCE.md: 12 up files have explicit BEGIN/COMMIT (some of their downs do too).
  assert.is(converted.standalone.filter((s) => s.endsWith(' up')).length, 12);
  assert.ok(converted.standalone.includes('20260527120000_dedupe_tax_codes_by_app_mapping up'));

  // Full history, no subset (every incremental schema snapshot compared with a full one): 40-95 s here (depending on load) with every stage but db/schema.sql (none upstream).
  const run = await runRb(['check', '--skip', 'generated'], { cwd, env: { DATABASE_URL: await createEmptyDatabase(import.meta.url), RB_CHECK_VERIFY_SNAPSHOTS: '1' } });
  assert.is(run.code, 1, run.stderr);
  const lines = run.stdout.trim().split('\n');
  const roundTrip = lines.filter((l) => l.includes(': round-trip/'));
  // SOURCE.md: on PG15 with contrib all 269 ups apply and all downs run without an error.
  assert.equal(roundTrip.filter((l) => /round-trip\/(up-failed|down-failed|up-again-failed)/.test(l)), []);
  // ...but several downs do not put the schema back the way it was:
  for (const expected of [
    'db/migrations/20250605102416_subscription-cascade.sql:30: round-trip/left-behind: function public.delete_entitlement_on_subscription_item_delete() was left behind',
    'db/migrations/20250605102416_subscription-cascade.sql:30: round-trip/left-behind: trigger public.subscription_items.trigger_delete_entitlement_on_subscription_item_delete was left behind',
    'db/migrations/20250306040407_resource_meter.sql:42: round-trip/left-behind: index public.meter_slug_organization_meters was left behind',
    'db/migrations/20240924164504_billing-profile.sql:37: round-trip/missing: index public.billingprofile_namespace_key existed before the up and is gone after the down',
    'db/migrations/20250304071554_customer-remove-is-deleted.sql:20: round-trip/changed: column public.customers.is_deleted: default changed from "false" to none',
  ]) {
    assert.ok(lines.includes(expected), `missing finding: ${expected}`);
  }
  // Downs that drop columns and add them back put them last: one warning per table (not a failure).
  assert.ok(lines.some((l) => l.startsWith('db/migrations/20240923170525_customer_drop_providers.sql:5: round-trip/column-order: warning: table public.customers: column order changed (')));
  // The impact stage reads each transactional up on the history before it.
  assert.ok(lines.includes(
    'db/migrations/20240903155435_entitlement-expired-index.sql:3: impact/non-concurrent-index: CREATE INDEX builds index entitlement_current_usage_period_end_deleted_at on public.entitlements without CONCURRENTLY under a SHARE lock: writes to public.entitlements wait until the index is built; fix: CREATE INDEX CONCURRENTLY in its own transaction:false file (rb new-migration makes one; see "Safe migrations")',
  ));
  // SOURCE.md: 25 down files are empty or comments only.
  assert.is(lines.filter((l) => l.includes(': well-formed/empty-down: ')).length, 25);
  assert.is(lines.filter((l) => l.includes(': well-formed/')).length, 25);
  // The transaction:false sections (own BEGIN/COMMIT) are linted without --assume-in-transaction:
  // squawk's transaction-nesting rule would otherwise flag every BEGIN.
  assert.equal(lines.filter((l) => l.includes('lint/transaction-nesting')), []);
  assert.match(lines.at(-1)!, /^rb check: 269 migration\(s\); well-formed 25 problem\(s\), round-trip \d+ problem\(s\), \d+ warning\(s\) \(first: 20240924164504_billing-profile\.sql\), impact \d+ problem\(s\), \d+ warning\(s\) \(first: 20240903155435_entitlement-expired-index\.sql\), lint \d+ problem\(s\), generated skipped \(left out with --skip\);/);
});

test.run();
