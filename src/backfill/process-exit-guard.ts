/**
 * What a script's call of process.exit turns into while rb runs it. Left alone, process.exit(0)
 * would end rb at once with the script's code: exit 0, no message, the transaction left to the
 * server to roll back. A backfill ends by returning (commit) or throwing (roll back).
 */
export class ScriptExitCall extends Error {
  constructor(readonly code: string | number | null | undefined) {
    super(`the script called process.exit(${code ?? ''}); a backfill must return to commit or throw to roll back`);
    this.name = 'ScriptExitCall';
  }
}

export interface ExitGuard {
  /** The script's call of process.exit, if it made one (it may have caught the throw). */
  readonly call: ScriptExitCall | undefined;
}

/**
 * Runs `work` (which runs the script) with process.exit replaced by a throw of ScriptExitCall:
 * the call fails like any other error where it was made, and the transaction rolls back. `work`
 * checks `call` after the script returns, so a script that catches the throw still fails. The
 * original process.exit is back when `work` settles (rb's own exit comes after).
 */
export async function refusingProcessExit<T>(work: (exits: ExitGuard) => Promise<T>): Promise<T> {
  const original = process.exit;
  const guard: { call: ScriptExitCall | undefined } = { call: undefined };
  process.exit = ((code?: string | number | null) => {
    guard.call ??= new ScriptExitCall(code);
    throw guard.call;
  }) as typeof process.exit;
  try {
    return await work(guard);
  } finally {
    process.exit = original;
  }
}
