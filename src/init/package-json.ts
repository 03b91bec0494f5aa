import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.ts';

/** A package.json as read, with what it takes to write it back in the same style. */
export interface PackageJson {
  file: string;
  data: Record<string, unknown>;
  indent: string;
  newline: string;
  finalNewline: boolean;
}

export function readPackageJson(projectDir: string): PackageJson {
  const file = path.join(projectDir, 'package.json');
  if (!existsSync(file)) {
    throw new UsageError(`no package.json in ${projectDir} or any folder above it; rb init sets rb up in a Node app: run npm init -y first (and npm install --save-dev @rbsql/cli)`);
  }
  const text = readFileSync(file, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`package.json: not valid JSON (${(error as Error).message}); fix the file and run rb init again`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UsageError('package.json: must hold a JSON object; fix the file and run rb init again');
  return {
    file,
    data: data as Record<string, unknown>,
    indent: /^[ \t]+(?=")/m.exec(text)?.[0] ?? '  ',
    newline: text.includes('\r\n') ? '\r\n' : '\n',
    finalNewline: /\n$/.test(text),
  };
}

/** Writes it back with its own indentation and line endings (key order is kept by JSON.parse). */
export function writePackageJson(pkg: PackageJson): void {
  const text = JSON.stringify(pkg.data, null, pkg.indent).replace(/\n/g, pkg.newline);
  writeFileSync(pkg.file, pkg.finalNewline ? `${text}${pkg.newline}` : text);
}
