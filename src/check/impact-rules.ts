import type { RuleLevel } from '../config.ts';
import { UsageError } from '../errors.ts';
import type { Finding } from './finding.ts';
import { blockedBy, lockName, type LockMode } from '../lock-modes.ts';
import type { ImpactEvent, MigrationImpact, RelationImpact, RelationLock } from './impact-probe.ts';
import { closestWord } from '../did-you-mean.ts';

/**
 * The impact stage's rules: what a migration's up did to tables that existed before it (read by
 * impact-probe.ts inside the transaction) turned into findings with the statement's line and a fix.
 * Work that takes as long as the table is big (a rewrite, an index build, a validating scan, any
 * full read) is an error when a lock that blocks reads or writes is held on a table meanwhile;
 * an ACCESS EXCLUSIVE lock with nothing slow under it is only as long as the migration's
 * transaction, so it is a warning (rb upgrade's lock_timeout bounds how long it waits for it).
 * An UPDATE/DELETE/MERGE of an existing table under a lock that blocks nothing is a warning too
 * (data-change): the changed rows stay locked until commit.
 */
export const IMPACT_RULES = {
  'table-rewrite': 'error',
  'type-change-rewrite': 'error',
  'non-concurrent-index': 'error',
  'constraint-scan': 'error',
  'not-null-scan': 'error',
  'scan-under-lock': 'error',
  'lock-held-during-scan': 'error',
  'data-change': 'warning',
  'blocking-lock': 'warning',
} as const satisfies Record<string, RuleLevel>;
export type ImpactRule = keyof typeof IMPACT_RULES;

/** rb's default levels with the project's "rb.check.impactRules" on top; unknown rule names are refused. */
export function impactLevels(configured: Record<string, RuleLevel> = {}): Record<ImpactRule, RuleLevel> {
  const unknown = Object.keys(configured).filter((name) => !(name in IMPACT_RULES));
  if (unknown.length) {
    const rules = Object.keys(IMPACT_RULES);
    const named = unknown.map((name) => {
      const meant = closestWord(name, rules);
      return meant ? `${name} (did you mean ${meant}?)` : name;
    });
    throw new UsageError(`package.json: "rb.check.impactRules" names unknown rule(s) ${named.join(', ')}; the impact rules are ${rules.join(', ')}`);
  }
  return { ...IMPACT_RULES, ...configured } as Record<ImpactRule, RuleLevel>;
}

/** "ALTER TABLE", "CREATE UNIQUE INDEX", "UPDATE": what the statement is, from its first words. */
export function statementName(words: string[]): string {
  const [a, b, c, d] = words;
  if (!a) return 'the statement';
  if (a === 'do') return 'a DO block';
  if (['create', 'alter', 'drop', 'refresh', 'comment', 'grant', 'revoke'].includes(a)) {
    const kinds = ['table', 'index', 'view', 'type', 'domain', 'materialized', 'trigger', 'function', 'sequence', 'constraint', 'policy', 'on', 'schema', 'extension'];
    const rest = [b, c, d].filter(Boolean);
    const end = rest.findIndex((w) => kinds.includes(w!));
    const taken = end === -1 ? rest.slice(0, 1) : rest.slice(0, end + 1 + (rest[end] === 'materialized' ? 1 : 0));
    return [a, ...taken].join(' ').toUpperCase();
  }
  return a.toUpperCase();
}

/** "an ACCESS EXCLUSIVE lock", "a SHARE lock". */
function aLock(mode: LockMode): string {
  const name = lockName(mode);
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name} lock`;
}

/** kind: the relation's relkind; a materialized view is only read (REFRESH is its only writer). */
function blocked(mode: LockMode, kind = 'r'): string {
  if (kind === 'm') return 'reads of';
  return blockedBy(mode) === 'reads and writes' ? 'reads and writes of' : 'writes to';
}

const AND_LATER = 'in a later migration';
const CONCURRENT_FILE = 'in its own transaction:false file (rb new-migration makes one; see "Safe migrations")';

function rewriteFinding(impact: RelationImpact, event: Extract<ImpactEvent, { kind: 'rewrite' }>): [ImpactRule, string] {
  const { relation, lock, words } = impact;
  if (impact.kind === 'm') {
    // REFRESH ... CONCURRENTLY runs in a transaction like any statement (no transaction:false file).
    return ['table-rewrite', `${statementName(words)} refills ${relation} into new storage under ${aLock(lock)}: ${blocked(lock, 'm')} ${relation} wait until it is refilled; fix: REFRESH MATERIALIZED VIEW CONCURRENTLY (it needs a unique index on the view, and lets reads through while it refreshes)`];
  }
  const under = `under ${aLock(lock)}: ${blocked(lock)} ${relation} wait until the whole table is copied`;
  if (event.typeChanges.length) {
    const changes = event.typeChanges.map((c) => `${c.column} from ${c.from} to ${c.to}`).join(', ');
    const enums = event.typeChanges.every((c) => c.enums);
    const fix = enums
      ? 'keep the enum and add values with ALTER TYPE ... ADD VALUE (no rewrite); to change it otherwise, add a column of the new type, backfill it in batches (rb run-script), then switch to it'
      : 'add a column of the new type, backfill it in batches (rb run-script), then switch to it and drop the old one';
    return ['type-change-rewrite', `${statementName(words)} rewrites ${relation} to change the type of ${changes} ${under}; fix: ${fix}`];
  }
  const text = words.join(' ');
  const fix = /^(cluster|vacuum)/.test(text)
    ? 'run it outside the migrations, off-peak (or use pg_repack, which holds the lock only at the end)'
    : 'find what forces the copy (a volatile DEFAULT such as gen_random_uuid() or clock_timestamp(), a GENERATED ... STORED column, an identity column, SET LOGGED/UNLOGGED, SET TABLESPACE) and do it in steps: add a plain column, then backfill it in batches (rb run-script)';
  return ['table-rewrite', `${statementName(words)} rewrites ${relation} into new storage ${under}; fix: ${fix}`];
}

function slowFinding(impact: RelationImpact, event: ImpactEvent, lockLine: number | undefined): [ImpactRule, string] | undefined {
  const { relation, lock, words, line } = impact;
  const name = statementName(words);
  if (blockedBy(lock) === 'nothing') return event.kind === 'rows' && event.changes ? dataChangeFinding(name, relation) : undefined;
  switch (event.kind) {
    case 'rewrite':
      return rewriteFinding(impact, event);
    case 'index-build': {
      const what = event.rebuilt ? `rebuilds index ${event.index} of ${relation}` : `builds index ${event.index} on ${relation} without CONCURRENTLY`;
      const wait = `under ${aLock(lock)}: ${blocked(lock)} ${relation} wait until the index is built`;
      const fix = event.constraint
        ? `CREATE UNIQUE INDEX CONCURRENTLY ${CONCURRENT_FILE}, then ALTER TABLE ... ADD CONSTRAINT ... USING INDEX`
        : event.rebuilt && words[0] === 'reindex'
          ? `REINDEX ... CONCURRENTLY ${CONCURRENT_FILE}`
          : `CREATE INDEX CONCURRENTLY ${CONCURRENT_FILE}`;
      return ['non-concurrent-index', `${name} ${what} ${wait}; fix: ${fix}`];
    }
    case 'constraint-scan': {
      const kind = event.foreignKey ? 'foreign key' : 'check constraint';
      const also = event.references ? ` (and looks each one up in ${event.references}, locked too)` : '';
      if (event.recreated) {
        // ALTER COLUMN TYPE without a rewrite (varchar(n) wider, numeric precision up) recreates the table's CHECKs and checks them again.
        return ['constraint-scan', `${name} recreates ${kind} ${event.constraint} and checks it again by reading every row of ${relation}${also} under ${aLock(lock)}: ${blocked(lock)} ${relation} wait until it is done; fix: drop ${event.constraint} before the change and add it back NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT ${event.constraint} ${AND_LATER} (that scan lets reads and writes through)`];
      }
      return ['constraint-scan', `${name} validates ${kind} ${event.constraint} by reading every row of ${relation}${also} under ${aLock(lock)}: ${blocked(lock)} ${relation} wait until it is done; fix: add it NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT ${event.constraint} ${AND_LATER} (that scan lets reads and writes through)`];
    }
    case 'not-null-scan': {
      const columns = event.columns.join(', ');
      const check = event.columns.map((c) => `${c} IS NOT NULL`).join(' AND ');
      return ['not-null-scan', `${name} sets NOT NULL on ${relation} (${columns}) by reading every row under ${aLock(lock)}: ${blocked(lock)} ${relation} wait until it is done; fix: add CHECK (${check}) NOT VALID, VALIDATE CONSTRAINT it ${AND_LATER}, then SET NOT NULL (PostgreSQL 12+ then skips the scan) and drop the check`];
    }
    case 'rows': {
      const since = lockLine !== undefined && lockLine < line ? ` (taken at line ${lockLine})` : '';
      const what = event.writes ? `writes rows of ${relation}` : `reads rows of ${relation}`;
      return ['scan-under-lock', `${name} ${what} while the migration holds ${aLock(lock)} on it${since}: ${blocked(lock)} ${relation} wait until it is done (on a big table, minutes); fix: move it to a migration of its own, or make it a batched backfill (rb run-script), so the lock is not held meanwhile`];
    }
    case 'scan': {
      const since = lockLine !== undefined && lockLine < line ? ` (taken at line ${lockLine})` : '';
      const fix = words[0] === 'alter' && words[1] === 'domain'
        ? 'add the domain constraint NOT VALID, then VALIDATE CONSTRAINT it in a later migration'
        : 'move it to a migration of its own, or make it a batched backfill (rb run-script), so the lock is not held while it reads every row';
      return ['scan-under-lock', `${name} reads every row of ${relation} while the migration holds ${aLock(lock)} on it${since}: ${blocked(lock)} ${relation} wait until it is done; fix: ${fix}`];
    }
  }
}

/**
 * An UPDATE/DELETE/MERGE of an existing table under a lock that blocks no one: each changed row
 * stays locked until the migration commits, and a big table makes a long transaction and a lot of
 * WAL. (An INSERT ... SELECT adds rows no one else sees yet: not reported.)
 */
function dataChangeFinding(name: string, relation: string): [ImpactRule, string] {
  return ['data-change', `${name} changes rows of ${relation} inside the migration's transaction: each row it changes stays locked until the migration commits (concurrent UPDATE, DELETE and SELECT FOR UPDATE of those rows wait), and on a big table it is a long transaction and a lot of WAL; fix: for a large table, a batched backfill with rb run-script (each batch commits on its own; see README "Backfills")`];
}

/** Short description of a slow statement for the lock-held-during-scan message. */
function slowWork(impact: RelationImpact): string {
  const event = impact.events[0];
  const what = event.kind === 'rewrite' ? `rewrites ${impact.relation}`
    : event.kind === 'index-build' ? `builds index ${event.index} on ${impact.relation}`
      : event.kind === 'constraint-scan' ? `validates ${event.constraint} on ${impact.relation}`
        : event.kind === 'not-null-scan' ? `sets NOT NULL on ${impact.relation}`
          : event.kind === 'rows' ? `${event.writes ? 'writes' : 'reads'} rows of ${impact.relation}`
            : `reads every row of ${impact.relation}`;
  return `line ${impact.line} (${statementName(impact.words)}) ${what}`;
}

/** The strongest lock held on relation by statements before line. */
function heldBefore(acquisitions: RelationLock[], relation: string, line: number): RelationLock | undefined {
  return acquisitions.filter((a) => a.relation === relation && a.line < line).at(-1);
}

/** Findings for one migration's up, with the rule levels applied (rules at "off" give none). */
export function impactFindings(file: string, impact: MigrationImpact, levels: Record<ImpactRule, RuleLevel>): Finding[] {
  const found: { rule: ImpactRule; line: number; message: string }[] = [];
  const involved = new Set<string>();
  for (const item of impact.impacts) {
    const lockLine = impact.locks.find((l) => l.relation === item.relation)?.line;
    for (const event of item.events) {
      const result = slowFinding(item, event, lockLine);
      if (!result) continue;
      found.push({ rule: result[0], line: item.line, message: result[1] });
      involved.add(item.relation);
      // A foreign key's message names the referenced table's lock too.
      if (event.kind === 'constraint-scan' && event.references) involved.add(event.references);
    }
  }
  // A blocking lock taken earlier in the transaction is held while a later statement does slow work on another table.
  for (const lock of impact.locks) {
    const blockingBefore = (line: number) => {
      const held = heldBefore(impact.acquisitions, lock.relation, line);
      return held && blockedBy(held.mode) !== 'nothing' ? held : undefined;
    };
    const slow = impact.impacts.find((i) => i.relation !== lock.relation && blockingBefore(i.line));
    if (!slow) continue;
    const held = blockingBefore(slow.line)!;
    // A view holds no rows, and its table's own lock already stops its readers (PostgreSQL often
    // needs it dropped around the slow statement, e.g. ALTER COLUMN TYPE): nothing to say of it.
    if (lock.kind === 'v') {
      involved.add(lock.relation);
      continue;
    }
    const more = impact.impacts.filter((i) => i.relation !== lock.relation && i.line > held.line && i.line !== slow.line).length;
    found.push({
      rule: 'lock-held-during-scan', line: held.line,
      message: `${statementName(held.words)} locks ${held.relation} ${lockName(held.mode)} and the lock is held until the migration commits, while ${slowWork(slow)}${more ? ` (and ${more} more slow step(s))` : ''}: ${blocked(held.mode)} ${held.relation} wait that long; fix: move the slow statement into a migration of its own (or a batched backfill, rb run-script), so this lock is released first`,
    });
    involved.add(lock.relation);
  }
  // Only a lock that blocks reads: while a brief ACCESS EXCLUSIVE waits for running queries, every
  // query on the table queues behind it. A brief lock that blocks only writes (a foreign key's SHARE
  // ROW EXCLUSIVE on the table it references) is routine; the --json "impact" summary lists it.
  for (const lock of impact.locks) {
    if (lock.blocks !== 'reads and writes' || involved.has(lock.relation)) continue;
    found.push({
      rule: 'blocking-lock', line: lock.line,
      message: `${statementName(lock.words)} takes ${aLock(lock.mode)} on ${lock.relation}: ${blocked(lock.mode)} it wait until the migration commits (nothing slow runs under it; rb upgrade's lock_timeout bounds how long it queues behind running queries)`,
    });
  }
  return found
    .filter((f) => levels[f.rule] !== 'off')
    .sort((a, b) => a.line - b.line)
    .map((f) => ({ stage: 'impact', rule: f.rule, file, line: f.line, message: f.message, ...(levels[f.rule] === 'warning' ? { severity: 'warning' as const } : {}) }));
}
