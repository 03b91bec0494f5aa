import type { Sql } from '../client.ts';
import { relativeToProject, type Config } from '../config.ts';
import { InterruptedError, MigrationError, type RbError } from '../errors.ts';
import { stopSignalOf, type StopSignal } from '../interrupt.ts';
import { readAppliedVersions } from './applied-versions.ts';
import { fileChecksum } from './checksums.ts';
import { listInvalidIndexes, RESOLVE_FAILED_HINT } from './failed-migrations.ts';
import type { MigrationFile } from './migration-file.ts';
import { endOwnSessions } from './migration-sessions.ts';
import { deleteRecords, recordApplied, recordFailed } from './rb-migrations-table.ts';

/** What happened to the file dbmate was running when rb stopped it. */
export interface SettledStop {
  /** It finished (applied, or rolled back by its down) before dbmate was stopped. */
  finished?: MigrationFile;
  /** It did not finish: a transactional one was rolled back by the server, a transaction:false one may have run part-way. */
  cutOff?: { file: MigrationFile; transactional: boolean; invalidIndexes: string[] };
}

/**
 * After rb stopped dbmate (Ctrl-C / SIGTERM): ends rb's own dbmate sessions (the server may still
 * run the statement) and reads what the file that was running did. An up section cut off outside
 * a transaction stays recorded as failed (rb marked it before it ran), with the reason and the
 * INVALID indexes it left.
 */
export async function settleStoppedFile(
  sql: Sql,
  command: 'migrate' | 'rollback',
  current: MigrationFile | undefined,
  marked: { file: MigrationFile; invalidBefore: string[]; cause: string } | undefined,
): Promise<SettledStop> {
  await endOwnSessions(sql);
  const applied = new Set(await readAppliedVersions(sql));
  if (current && applied.has(current.version) === (command === 'migrate')) {
    if (command === 'migrate') await recordApplied(sql, current.version, current.fileName, fileChecksum(current.path));
    else await deleteRecords(sql, [current.version]);
    return { finished: current };
  }
  if (!current) {
    if (marked) await deleteRecords(sql, [marked.file.version]); // it never started
    return {};
  }
  const section = command === 'migrate' ? current.up : current.down;
  if (section.options.transaction !== 'false') return { cutOff: { file: current, transactional: true, invalidIndexes: [] } };
  const before = new Set(marked?.invalidBefore ?? []);
  const invalidIndexes = (await listInvalidIndexes(sql)).filter((name) => !before.has(name));
  if (marked) {
    await recordFailed(sql, {
      version: current.version, fileName: current.fileName, checksum: fileChecksum(current.path),
      error: `${marked.cause} while it ran outside a transaction; it may have run part-way`, invalidIndexes,
    });
  }
  return { cutOff: { file: current, transactional: false, invalidIndexes } };
}

/** Why dbmate stopped: rb was asked to stop (Ctrl-C / SIGTERM), or dbmate was ended by something else. */
export function stopCause(asked: AbortSignal | undefined, childSignal: NodeJS.Signals): { cause: string; stop?: StopSignal } {
  if (asked?.aborted) {
    const stop = stopSignalOf(asked);
    return { cause: `cut off by ${stop}`, stop };
  }
  return { cause: `cut off when dbmate was ended by ${childSignal}` };
}

/**
 * The error for a stopped upgrade or downgrade, stating what was done and what was not:
 * InterruptedError (130 / 143) when rb was asked to stop, MigrationError when dbmate was ended by
 * something else.
 */
export function describeInterruption(
  why: { cause: string; stop?: StopSignal },
  state: { config: Config; command: 'migrate' | 'rollback'; files: MigrationFile[]; done: MigrationFile[]; cutOff?: SettledStop['cutOff']; isProduction: boolean },
): RbError {
  const { command, files, done, cutOff } = state;
  const verb = command === 'migrate' ? 'applied' : 'rolled back';
  const parts = [done.length ? `${verb} ${done.map((f) => f.fileName).join(', ')}` : `nothing was ${verb}`];
  if (cutOff) {
    const name = cutOff.file.fileName;
    if (cutOff.transactional) {
      parts.push(command === 'migrate' ? `${name} was cut off and rolled back` : `rolling back ${name} was cut off and undone (it stays applied)`);
    } else if (command === 'migrate') {
      const indexes = cutOff.invalidIndexes.length
        ? `; it left INVALID index ${cutOff.invalidIndexes.join(', ')}: drop it (drop index concurrently ${cutOff.invalidIndexes.join(', ')})`
        : '';
      parts.push(`${name} runs outside a transaction (transaction:false), was cut off and may have run part-way: rb recorded it as failed${indexes}; ${RESOLVE_FAILED_HINT}`);
    } else {
      parts.push(`the down section of ${name} runs outside a transaction (transaction:false) and was cut off part-way: it stays applied; check what it undid before rolling it back again`);
    }
  }
  const notRun = files.length - done.length - (cutOff ? 1 : 0);
  if (notRun > 0) parts.push(`${notRun} more not run`);
  if (done.length && !state.isProduction) parts.push(`${relativeToProject(state.config, state.config.schemaFile)} was not rewritten`);
  if (!(cutOff && !cutOff.transactional && command === 'migrate')) {
    parts.push(command === 'migrate' ? 'run rb upgrade again to apply the rest' : 'run rb downgrade again to roll back the rest');
  }
  if (why.stop) return new InterruptedError(`stopped by ${why.stop}: ${parts.join('; ')}`, why.stop);
  return new MigrationError(`dbmate stopped (${why.cause.replace(/^cut off when /, '')}): ${parts.join('; ')}`);
}

/** Runs work that does not listen for a stop (the production prompt) so that Ctrl-C / SIGTERM still ends it at once. */
export function unlessStopped<T>(work: Promise<T>, signal: AbortSignal | undefined, nothingDone: string): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      const stop = stopSignalOf(signal);
      reject(new InterruptedError(`stopped by ${stop}; ${nothingDone}`, stop));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
