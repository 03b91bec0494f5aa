import { buildCli } from './cli.ts';
import { RbError, UsageError } from './errors.ts';
import { processIo, type Io } from './io.ts';
import { maskUrl } from './target/database-url.ts';

/** Alembic writes `downgrade -1`; a bare negative number would otherwise parse as a flag. */
export function normaliseArgv(argv: string[]): string[] {
  const [node, script, command, ...rest] = argv;
  if (command === 'downgrade' || command === 'down') {
    return [node, script, command, ...rest.map((arg) => (/^-\d+$/.test(arg) ? arg.slice(1) : arg))];
  }
  return argv;
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
      io.err(`rb: ${error.message.replace(/`/g, '"')}; run rb --help to see the commands and options`);
      return 2;
    }
    io.err(`rb: internal error (a bug in rb, please report it):`);
    io.err(maskUrl(error instanceof Error ? (error.stack ?? error.message) : String(error)));
    return 70;
  }
}

const code = await main(process.argv, processIo);
// process.exit drops whatever a pipe has not taken yet (past 64 KiB): wait until both streams
// have flushed, then exit so no stray handle (a pool, a watcher) keeps rb alive.
process.exitCode = code;
await Promise.all([process.stdout, process.stderr].map((stream) => new Promise<void>((resolve) => stream.write('', () => resolve()))));
process.exit(code);
