/**
 * Error classes that the entry point (src/main.ts) maps to one printed line and an exit code.
 * Anything that is not an RbError is a bug in rb and is printed with its stack.
 */
export class RbError extends Error {
  /** Process exit code the entry point uses for this error. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** The user asked for something invalid: bad flags, bad files, bad names. */
export class UsageError extends RbError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** A database could not be reached or refused the connection. */
export class ConnectionError extends RbError {
  constructor(message: string) {
    super(message, 3);
  }
}

/** A migration (or script) failed while running against the database. */
export class MigrationError extends RbError {
  constructor(message: string) {
    super(message, 4);
  }
}

/** The production guard refused or the user declined. */
export class RefusedError extends RbError {
  constructor(message: string) {
    super(message, 5);
  }
}

/** The person stopped the command (SIGINT/SIGTERM) and it cleaned up after itself: exit 130 / 143. */
export class InterruptedError extends RbError {
  readonly signal: 'SIGINT' | 'SIGTERM';
  constructor(message: string, signal: 'SIGINT' | 'SIGTERM' = 'SIGINT') {
    super(message, signal === 'SIGTERM' ? 143 : 130);
    this.signal = signal;
  }
}
