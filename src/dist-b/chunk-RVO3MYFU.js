// dist/errors.js
var RbError = class extends Error {
  /** Process exit code the entry point uses for this error. */
  exitCode;
  constructor(message, exitCode = 1) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
};
var UsageError = class extends RbError {
  constructor(message) {
    super(message, 2);
  }
};
var ConnectionError = class extends RbError {
  constructor(message) {
    super(message, 3);
  }
};
var MigrationError = class extends RbError {
  constructor(message) {
    super(message, 4);
  }
};
var RefusedError = class extends RbError {
  constructor(message) {
    super(message, 5);
  }
};
var InterruptedError = class extends RbError {
  signal;
  constructor(message, signal = "SIGINT") {
    super(message, signal === "SIGTERM" ? 143 : 130);
    this.signal = signal;
  }
};

export {
  RbError,
  UsageError,
  ConnectionError,
  MigrationError,
  RefusedError,
  InterruptedError
};
