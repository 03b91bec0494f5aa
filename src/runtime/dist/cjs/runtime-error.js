"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.RuntimeError = void 0;
/**
 * Errors the runtime throws at application code. The runtime never imports the toolkit, so these
 * are plain Error subclasses; `rb run-script` reports them like any other error of a script.
 */
class RuntimeError extends Error {
    constructor(message) {
        super(message);
        this.name = new.target.name;
    }
}
exports.RuntimeError = RuntimeError;
