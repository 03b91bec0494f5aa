import { buildCli } from './cli.ts';
import { RbError, UsageError } from './errors.ts';
import { exitCodeFor, installSignalHandlers } from './interrupt.ts';
import { processIo, type Io } from './io.ts';
import { maskUrl } from './target/database-url.ts';

/**
 * Two fixes to argv before cac sees it:
 * - cac declares boolean options to its parser (mri) under their camelCase name, so a kebab-case
 *   boolean such as `--dry-run` swallows the next argument (`rb downgrade --dry-run 2` would read
 *   "2" as the flag's value). Spelling flags in camelCase, which cac accepts, avoids that.
 * - Alembic writes `downgrade -1`; a bare negative number would otherwise parse as a flag.
 */
export function normaliseArgv(argv: string[]): string[] {
  const [node, script, ...rest] = argv;
  const end = rest.indexOf('--');
  const own = end === -1 ? rest : rest.slice(0, end);
  const passThrough = end === -1 ? [] : rest.slice(end);
  const downgrade = own[0] === 'downgrade' || own[0] === 'down';
  const fixed = own.map((arg) => {
    if (/^--(?!no-)[a-z0-9]+(-[a-z0-9]+)+$/.test(arg)) return `--${arg.slice(2).replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase())}`;
    if (downgrade && /^-\d+$/.test(arg)) return arg.slice(1);
    return arg;
  });
  return [node, script, ...fixed, ...passThrough];
}

/** Runs one rb invocation; returns the exit code. The only place that maps errors to codes. */
export async function main(argv: string[], io: Io): Promise<number> {
  const cli = buildCli(io);
  try {
    const parsed = cli.parse(normaliseArgv(argv), { run: false });
    if (parsed.options.help || parsed.options.version) return 0;
    if (!cli.matchedCommand) {
      const name = cli.args[0];
      if (name) throw new UsageError(`unknown command "${name}"; run rb --help to see the commands`);
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
      // Show option names as the user typed them (kebab-case), not as normaliseArgv passed them.
      const message = error.message.replace(/`--([A-Za-z0-9]+)`/g, (_m, name: string) => `"--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}"`);
      io.err(`rb: ${message.replace(/`/g, '"')}; run rb --help to see the commands and options`);
      return 2;
    }
    io.err(`rb: internal error (a bug in rb, please report it):`);
    io.err(maskUrl(error instanceof Error ? (error.stack ?? error.message) : String(error)));
    return 70;
  }
}

// Ctrl-C / SIGTERM with no command listening: children end (src/interrupt.ts), rb exits at once.
installSignalHandlers((signal) => process.exit(exitCodeFor(signal)));
const code = await main(process.argv, processIo);
// process.exit drops whatever a pipe has not taken yet (past 64 KiB): wait until both streams
// have flushed, then exit so no stray handle (a pool, a watcher) keeps rb alive.
process.exitCode = code;
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
process.exit(code);
