import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'cac';
import { findProjectRoot } from '@rbsql/runtime/project';
import { buildCli } from './cli.ts';
import { closestWord } from './did-you-mean.ts';
import { RbError, UsageError } from './errors.ts';
import { exitCodeFor, installSignalHandlers } from './interrupt.ts';
import { discardOutputOnClosedPipe, processIo, type Io } from './io.ts';
import { maskUrl } from './target/database-url.ts';

/**
 * Two fixes to argv before cac sees it:
 * - cac declares boolean options to its parser (mri) under their camelCase name, so a kebab-case
 *   boolean such as `--dry-run` swallows the next argument (`rb downgrade --dry-run 2` would read
 *   "2" as the flag's value). Spelling flags in camelCase, which cac accepts, avoids that.
 * - Alembic writes `downgrade -1`; a bare negative number would otherwise parse as a flag.
 */
export function normaliseArgv(argv: string[]): string[] {
  const [node, script, ...given] = argv;
  // `rb help [command]` and `rb version`, as git and npm take them.
  const rest = given[0] === 'help' ? [...given.slice(1, 2), '--help'] : given[0] === 'version' && given.length === 1 ? ['--version'] : given;
  const end = rest.indexOf('--');
  const own = end === -1 ? rest : rest.slice(0, end);
  const passThrough = end === -1 ? [] : rest.slice(end);
  const downgrade = own[0] === 'downgrade' || own[0] === 'down' || own[0] === 'rollback';
  const fixed = own.map((arg) => {
    if (/^--(?!no-)[a-z0-9]+(-[a-z0-9]+)+$/.test(arg)) return `--${arg.slice(2).replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase())}`;
    if (downgrade && /^-\d+$/.test(arg)) return arg.slice(1);
    return arg;
  });
  return [node, script, ...fixed, ...passThrough];
}

/** An option as the user typed it (kebab-case), not as normaliseArgv passed it to cac. */
function shownOption(name: string): string {
  return `${name.length > 1 ? '--' : '-'}${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** cac's parse errors in rb's words: what was wrong, a likely meaning, and the command's help. */
function describeCacError(message: string, command: Command | undefined): string {
  const help = command?.name ? `rb ${command.name} --help` : 'rb --help';
  const unknown = /^Unknown option `-{1,2}([^`]+)`$/.exec(message);
  if (unknown && command) {
    const typed = shownOption(unknown[1]!);
    const options = [...command.options, ...(command.globalCommand?.options ?? [])].flatMap((o) => o.rawName.match(/--?[a-z][a-z0-9-]*/g) ?? []);
    const meant = closestWord(typed, options);
    return `unknown option "${typed}" for rb ${command.name}${meant ? ` (did you mean "${meant}"?)` : ''}; run ${help} to see its options`;
  }
  const unused = /^Unused args: (.*)$/.exec(message);
  if (unused) return `unexpected argument${unused[1]!.includes(',') ? 's' : ''} ${unused[1]!.replace(/`/g, '"')} for rb ${command?.name ?? ''}; run ${help} to see what it takes`;
  const missing = /^missing required args for command `(.*)`$/.exec(message);
  if (missing) return `rb ${missing[1]} needs its arguments; run ${help}`;
  const value = /^option `(.*)` value is missing$/.exec(message);
  if (value) return `${value[1]} needs a value; run ${help}`;
  return `${message.replace(/`/g, '"')}; run ${help}`;
}

/** The folder above rb's compiled code (dist/ for the bundle in dist/cli/). */
const compiledDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/**
 * A package rb's own code imports (commands load theirs when they run) is missing where rb lives:
 * not a bug in rb but an incomplete install, which bin/rb.js names in one line with the fix.
 */
function isMissingDependency(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  const importer = /^Cannot find package '[^']+' imported from (.+)$/m.exec(String(e?.message))?.[1];
  return e?.code === 'ERR_MODULE_NOT_FOUND' && importer !== undefined && importer.startsWith(compiledDir + path.sep);
}

/** Filesystem errors that are the machine's state, not a bug in rb, and their causes (`man 3 errno`). */
const FILESYSTEM_CAUSES: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
};

/** Syscalls that only read: the others create, change or remove a file. */
const READING_SYSCALLS = new Set(['access', 'lstat', 'stat', 'scandir', 'opendir', 'readlink', 'realpath', 'read', 'watch']);

/**
 * Node's recursive mkdir reports ENOENT when the real cause was a read-only file system or a full
 * disk (nodejs/node#47098, #42808): ask the nearest folder that exists whether it can be written.
 */
function unmaskedMkdirError(error: NodeJS.ErrnoException): NodeJS.ErrnoException {
  if (error.code !== 'ENOENT' || error.syscall !== 'mkdir' || typeof error.path !== 'string') return error;
  let dir = path.dirname(path.resolve(error.path));
  while (!existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  try {
    accessSync(dir, constants.W_OK);
    return error;
  } catch (denied) {
    return Object.assign(new Error(error.message), { code: (denied as NodeJS.ErrnoException).code, syscall: 'mkdir', path: error.path });
  }
}

/**
 * A Node filesystem error on a path (a read-only project, an immutable .rb/, a full disk) in one
 * line: what rb could not do to which file (relative to the project inside it), why, and the fix;
 * `undefined` for any other error. Said once here rather than around every write.
 */
function describeFilesystemError(error: unknown, projectDir: string | undefined): string | undefined {
  const e = error instanceof Error ? unmaskedMkdirError(error) : (error as NodeJS.ErrnoException | undefined);
  const cause = typeof e?.code === 'string' ? FILESYSTEM_CAUSES[e.code] : undefined;
  if (!cause) return undefined;
  // A write(2) that fills the disk carries no path (Node knows only the descriptor).
  if (typeof e?.path !== 'string') {
    return e?.code === 'ENOSPC' || e?.code === 'EDQUOT'
      ? `cannot write a file: ${cause} (${e.code}); free space on the disk of the project (or of the temporary folder, TMPDIR) and run it again`
      : undefined;
  }
  const relative = projectDir === undefined ? '' : path.relative(projectDir, path.resolve(e.path));
  const inProject = relative !== '' && !relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative);
  const shown = inProject ? relative : path.resolve(e.path);
  // A program rb starts (dbmate, pg_dump, ...) that is not executable: spawn's error names it.
  if (e.syscall?.startsWith('spawn')) return `cannot run ${shown}: ${cause} (${e.code}); make it executable (chmod +x), or reinstall the package that holds it`;
  // open(2) fails the same way for reading and writing: say "open" where the flags are unknown.
  const verb = e.syscall !== undefined && READING_SYSCALLS.has(e.syscall) ? 'read' : e.syscall === 'open' && (e.code === 'EACCES' || e.code === 'EPERM') ? 'open' : 'write';
  const immutable = e.code === 'EPERM' ? ` (chattr -i if ${inProject ? 'they are' : 'it is'} immutable)` : '';
  let fix: string;
  if (e.code === 'ENOSPC' || e.code === 'EDQUOT') fix = `free space on that disk${e.code === 'EDQUOT' ? ' (or raise the quota)' : ''} and run it again`;
  else if (verb === 'read') fix = 'let the user running rb read it';
  else if (verb === 'open') fix = inProject ? `rb reads and writes generated files, db/schema.sql and .rb/ in the project: let the user running rb read and write them${immutable}` : `let the user running rb read and write it${immutable}`;
  else fix = inProject ? `rb writes generated files, db/schema.sql and .rb/ in the project: make them writable${immutable}` : `make it writable${immutable}`;
  return `cannot ${verb} ${shown}: ${cause} (${e.code}); ${fix}`;
}

/** The project, for paths in messages; undefined when even the working directory is gone. */
function projectRoot(): string | undefined {
  try {
    return findProjectRoot(process.cwd());
  } catch {
    return undefined;
  }
}

/** Runs one rb invocation; returns the exit code. The only place that maps errors to codes. */
export async function main(argv: string[], io: Io): Promise<number> {
  const cli = buildCli(io);
  try {
    const commandNames = cli.commands.flatMap((c) => [c.name, ...c.aliasNames]).filter(Boolean);
    const unknownCommand = (name: string) => {
      const meant = closestWord(name, commandNames);
      return new UsageError(`unknown command "${name}"${meant ? ` (did you mean "rb ${meant}"?)` : ''}; run rb --help to see the commands`);
    };
    // cac would print the general help for `rb help <unknown>` (and `rb <unknown> --help`).
    const [first, second] = argv.slice(2);
    if (first === 'help' && second !== undefined && !commandNames.includes(second)) throw unknownCommand(second);
    const wantsHelp = argv.slice(2).some((arg) => arg === '--help' || arg === '-h');
    if (wantsHelp && first !== undefined && first !== 'help' && !first.startsWith('-') && !commandNames.includes(first)) throw unknownCommand(first);
    const parsed = cli.parse(normaliseArgv(argv), { run: false });
    if (parsed.options.help || parsed.options.version) return 0;
    if (!cli.matchedCommand) {
      const name = cli.args[0];
      if (name) throw unknownCommand(name);
      const unknown = Object.keys(parsed.options).find((key) => key !== '--' && !cli.globalCommand.hasOption(key));
      if (unknown) throw new UsageError(`unknown option "${shownOption(unknown)}"; run rb --help to see the commands and options`);
      cli.outputHelp();
      return 0;
    }
    await cli.runMatchedCommand();
    return 0;
  } catch (error) {
    if (error instanceof RbError) {
      io.err(`rb: ${maskUrl(error.message)}`);
      return error.exitCode;
    }
    // cac 7 does not export its error class; its errors carry name "CACError".
    if (error instanceof Error && error.name === 'CACError') {
      io.err(`rb: ${describeCacError(error.message, cli.matchedCommand)}`);
      return 2;
    }
    if (isMissingDependency(error)) throw error;
    const filesystem = describeFilesystemError(error, projectRoot());
    if (filesystem) {
      io.err(`rb: ${filesystem}`);
      return 2;
    }
    io.err(`rb: internal error (a bug in rb, please report it):`);
    io.err(maskUrl(error instanceof Error ? (error.stack ?? error.message) : String(error)));
    return 70;
  }
}

// rb's own exits, taken before anything runs: while pgtyped logs in, process.exit stands in for
// pgtyped's (src/types/pgtyped-login.ts), and a Ctrl-C then must still exit, not throw.
const exit = process.exit.bind(process);
// Ctrl-C / SIGTERM with no command listening: children end (src/interrupt.ts), rb exits at once.
installSignalHandlers((signal) => exit(exitCodeFor(signal)));
discardOutputOnClosedPipe();
const code = await main(process.argv, processIo);
// process.exit drops whatever a pipe has not taken yet (past 64 KiB): wait until both streams
// have flushed, then exit so no stray handle (a pool, a watcher) keeps rb alive.
process.exitCode = code;
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
exit(code);
