import type { PgtypedLibrary, WireQueue } from './pgtyped-library.ts';

/**
 * pgtyped's login (@pgtyped/wire startup) reports a failure with console.error("Connection failed:
 * ...") and process.exit(1): rb would end with exit 1 and a line not its own. While logins are
 * under way, that exit throws instead (inside pgtyped's catch, so its startup promise rejects) and
 * the message is kept, so the caller reports the failure as rb's own error. Nothing else runs
 * process.exit or console.error in rb between a login's start and its end.
 */
class PgtypedLoginFailed extends Error {}

let pending = 0;
let restore: (() => void) | undefined;
let failure: string | undefined;

function guardExit(): void {
  const { exit } = process;
  const { error } = console;
  process.exit = ((code?: number) => {
    // Only pgtyped's exit after its "Connection failed" line; any other goes through.
    if (failure === undefined) return exit.call(process, code);
    throw new PgtypedLoginFailed(failure);
  }) as typeof process.exit;
  console.error = (...args: unknown[]) => {
    const text = String(args[0]);
    if (text.startsWith('Connection failed: ')) failure = text.slice('Connection failed: '.length);
    else error(...args);
  };
  restore = () => {
    process.exit = exit;
    console.error = error;
  };
}

/** pgtyped's startup on `queue`; a failed login rejects with the server's message. */
export async function pgtypedLogin(lib: PgtypedLibrary, options: Parameters<PgtypedLibrary['startup']>[0], queue: WireQueue): Promise<void> {
  if (pending++ === 0) guardExit();
  try {
    await lib.startup(options, queue);
  } finally {
    if (--pending === 0) {
      restore?.();
      restore = undefined;
      failure = undefined;
    }
  }
}
