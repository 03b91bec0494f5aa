import { loadConfig } from '../config.ts';
import type { Io } from '../io.ts';
import { ensureLocalServer, localServerStatus, stopLocalServer } from '../local-db/embedded-server.ts';

export async function dbCommand(action: string | undefined, io: Io): Promise<void> {
  const config = loadConfig();
  switch (action) {
    case 'start': {
      const status = await ensureLocalServer(config.local);
      io.out(`local PostgreSQL running on port ${status.port} (data: ${status.dataDir})`);
      io.out(status.url);
      return;
    }
    case 'stop': {
      const result = await stopLocalServer(config.local);
      io.out(result.wasRunning ? 'local PostgreSQL stopped' : 'local PostgreSQL was not running');
      return;
    }
    case 'status': {
      const status = await localServerStatus(config.local);
      io.out(status.running ? `running on port ${status.port} (pid ${status.pid}, data: ${status.dataDir})` : `not running (data: ${status.dataDir})`);
      if (config.databaseUrl) io.out('note: DATABASE_URL is set, so rb commands use that server, not this one');
      return;
    }
    case 'url': {
      io.out((await localServerStatus(config.local)).url);
      return;
    }
    default: {
      const { UsageError } = await import('../errors.ts');
      throw new UsageError(`unknown action "rb db ${action ?? ''}"; use rb db start, rb db stop, rb db status or rb db url`);
    }
  }
}
