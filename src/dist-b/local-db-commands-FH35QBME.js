import {
  refuseTargetFlags
} from "./chunk-X6FAZUW5.js";
import {
  ensureLocalServer,
  localServerStatus,
  stopLocalServer
} from "./chunk-LWDHCSGX.js";
import "./chunk-EKB3CR5R.js";
import {
  maskUrl
} from "./chunk-ZES4J75L.js";
import {
  loadConfig,
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import "./chunk-RVO3MYFU.js";

// dist/commands/local-db-commands.js
async function dbCommand(action, flags, io) {
  refuseTargetFlags("db", flags, "manages this project's embedded PostgreSQL only");
  const config = loadConfig();
  const shown = (file) => relativeToProject(config, file);
  switch (action) {
    case "start": {
      const status = await ensureLocalServer(config.local);
      io.out(`local PostgreSQL running on port ${status.port} (data: ${shown(status.dataDir)})`);
      io.out(`${maskUrl(status.url)} (rb db url prints it with its password)`);
      return;
    }
    case "stop": {
      const result = await stopLocalServer(config.local);
      io.out(result.wasRunning ? "local PostgreSQL stopped" : "local PostgreSQL was not running");
      return;
    }
    case "status": {
      const status = await localServerStatus(config.local);
      io.out(status.running ? `running on port ${status.port} (pid ${status.pid}, data: ${shown(status.dataDir)})` : `not running (data: ${shown(status.dataDir)})`);
      if (config.databaseUrl)
        io.out("note: DATABASE_URL is set, so rb commands use that server, not this one");
      return;
    }
    case "url": {
      const status = await localServerStatus(config.local);
      if (!status.running) {
        const { ConnectionError } = await import("./errors-L2GYGC2K.js");
        throw new ConnectionError(`the local PostgreSQL is not running (data: ${shown(status.dataDir)}); start it with rb db start (any rb command that needs it starts it too)`);
      }
      io.out(status.url);
      return;
    }
    default: {
      const { UsageError } = await import("./errors-L2GYGC2K.js");
      throw new UsageError(`unknown action "rb db ${action ?? ""}"; use rb db start, rb db stop, rb db status or rb db url`);
    }
  }
}
export {
  dbCommand
};
