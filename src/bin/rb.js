#!/usr/bin/env node
// rb's executable: checks what it needs, then runs the compiled CLI (dist/cli/main.js, see build/bundle-cli.js). Plain
// JavaScript on purpose: it must run before anything is built, and say so in one line when not.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
const main = new URL('../dist/cli/main.js', import.meta.url);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

function fail(message) {
  process.stderr.write(`rb: ${message}\n`);
  process.exit(2);
}

if (major < 20 || (major === 20 && minor < 19)) {
  fail(`Node ${process.versions.node} is too old; rb needs Node 20.19 or newer (nodejs.org, or your version manager)`);
}
if (!existsSync(main)) {
  fail(`this copy of @rbsql/cli in ${packageDir} is not built (dist/cli/main.js is missing); run "npm run build" there, or install the published package`);
}
try {
  await import(main.href);
} catch (error) {
  // A dependency that cannot be found (an incomplete install, a link to a checkout without
  // node_modules) is not a bug in rb: name it and the fix.
  if (error && (error.code === 'ERR_MODULE_NOT_FOUND' || error.code === 'MODULE_NOT_FOUND')) {
    const missing = /Cannot find (?:package|module) '([^']+)'/.exec(String(error.message))?.[1] ?? String(error.message).split('\n')[0];
    fail(`cannot load ${missing}: @rbsql/cli's dependencies are not installed where it lives (${packageDir}); run "npm install" in the app that uses it, or reinstall @rbsql/cli`);
  }
  throw error;
}
