/**
 * Errors the runtime throws at application code. The runtime never imports the toolkit, so these
 * are plain Error subclasses; `rb run-script` reports them like any other error of a script.
 */
export declare class RuntimeError extends Error {
    constructor(message: string);
}
