import os from 'node:os';
import { processExists } from '@rbsql/runtime/project';

/**
 * The application_name of every session rb opens for work that can outlive it:
 * `rb <what> (pid <rb's pid> on <host>)` (`rb dbmate (pid 4242 on ci-3)`,
 * `rb run-script backfill/fill.ts (pid 4242 on ci-3)`). Killing a Node parent with kill -9 ends
 * neither its children (dbmate) nor the statements its sessions run, so a later rb finds those
 * sessions in pg_stat_activity by this name and can tell whether the rb that opened them still runs.
 */
const MAX_BYTES = 63; // PostgreSQL keeps 63 bytes of application_name (NAMEDATALEN - 1)

function fitBytes(text: string, bytes: number): string {
  let out = text;
  while (Buffer.byteLength(out) > bytes) out = out.slice(0, -1);
  return out;
}

/** PostgreSQL stores application_name in printable ASCII: anything else becomes "?" (as the server does). */
const asStored = (text: string) => text.replace(/[^\x20-\x7e]/g, '?');

/**
 * `rb <what> (pid <pid> on <host>)`, as the server stores it: a long `what` is cut so the pid and
 * host stay whole.
 */
export function rbSessionName(what: string, pid = process.pid): string {
  const suffix = asStored(` (pid ${pid} on ${os.hostname()})`);
  what = asStored(what);
  const room = MAX_BYTES - Buffer.byteLength(`rb ${suffix}`);
  if (room <= 0) return fitBytes(`rb ${what}${suffix}`, MAX_BYTES);
  return `rb ${fitBytes(what, room)}${suffix}`;
}

/** `text` as a LIKE pattern that matches exactly it. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A LIKE pattern for the session names rbSessionName gives a `what` that starts with `whatPrefix` ("dbmate ", "run-script "). */
export function rbSessionPattern(whatPrefix: string): string {
  return `${escapeLike(asStored(`rb ${whatPrefix}`))}%`;
}

/** Who opened a session named by rbSessionName, and whether that rb still runs. */
export interface SessionOwner {
  what: string;
  pid: number;
  host: string;
  /** `gone`: the rb that opened it no longer runs on this host (killed); `elsewhere`: another host's, rb cannot tell. */
  state: 'this-run' | 'running' | 'gone' | 'elsewhere';
}

export function sessionOwner(applicationName: string): SessionOwner | undefined {
  const match = /^rb (.*) \(pid (\d+) on (.*)\)$/.exec(applicationName);
  if (!match) return undefined;
  const [, what, pidText, host] = match;
  const pid = Number(pidText);
  const state = host !== asStored(os.hostname())
    ? 'elsewhere'
    : pid === process.pid
      ? 'this-run'
      : processExists(pid)
        ? 'running'
        : 'gone';
  return { what, pid, host, state };
}

/**
 * "a dbmate left by an rb that was killed (pid 4242)", "a dbmate of an rb that is running
 * (pid 4242)", "a dbmate of an rb on host ci-3 (pid 4242)": what a session is, for messages.
 */
export function describeSessionOwner(owner: SessionOwner, thing: string): string {
  switch (owner.state) {
    case 'gone':
      return `${thing} left by an rb that was killed (pid ${owner.pid})`;
    case 'running':
      return `${thing} of an rb that is running (pid ${owner.pid})`;
    case 'this-run':
      return `${thing} of this rb (pid ${owner.pid})`;
    case 'elsewhere':
      return `${thing} of an rb on host ${owner.host} (pid ${owner.pid})`;
  }
}
