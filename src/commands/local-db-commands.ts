import { loadConfig, relativeToProject } from '../config.ts';
import type { Io } from '../io.ts';
import { ensureLocalServer, localServerStatus, stopLocalServer } from '../local-db/embedded-server.ts';
import { maskUrl } from '../target/database-url.ts';

export async function dbCommand(action: string | undefined, io: Io): Promise<void> {
  const config = loadConfig();
  const shown = (file: string) => relativeToProject(config, file);
  switch (action) {
    case 'start': {
      const status = await ensureLocalServer(config.local);
      io.out(`local PostgreSQL running on port ${status.port} (data: ${shown(status.dataDir)})`);
      io.out(`${maskUrl(status.url)} (rb db url prints it with its password)`);
      return;
    }
    case 'stop': {
      const result = await stopLocalServer(config.local);
      io.out(result.wasRunning ? 'local PostgreSQL stopped' : 'local PostgreSQL was not running');
      return;
    }
    case 'status': {
      const status = await localServerStatus(config.local);
      io.out(status.running ? `running on port ${status.port} (pid ${status.pid}, data: ${shown(status.dataDir)})` : `not running (data: ${shown(status.dataDir)})`);
      if (config.databaseUrl) io.out('note: DATABASE_URL is set, so rb commands use that server, not this one');
      return;
    }
    case 'url': {
      // The running server's URL, password included: only its owner can read the password file.
      const status = await localServerStatus(config.local);
      if (!status.running) {
        const { ConnectionError } = await import('../errors.ts');
        throw new ConnectionError(`the local PostgreSQL is not running (data: ${shown(status.dataDir)}); start it with rb db start (any rb command that needs it starts it too)`);
      }
      io.out(status.url);
      return;
    }
    default: {
      const { UsageError } = await import('../errors.ts');
      throw new UsageError(`unknown action "rb db ${action ?? ''}"; use rb db start, rb db stop, rb db status or rb db url`);
    }
  }
}
