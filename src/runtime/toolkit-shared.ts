// '@rbsql/runtime/project': what the toolkit (@rbsql/cli) shares with the runtime about an app,
// without loading postgres.js or pgtyped: the project root, package.json's "rb", .env, the local
// server's record, the default schemas. One place for each; the toolkit imports it, never the reverse.
export { DEFAULT_LAYOUT, findProjectRoot, parseDotenv, readDotenv, readRbSettings, STATE_DIR_NAME } from './project.ts';
export {
  localConnectionUrl, localServerRecordFile, readLocalServerRecord, recordedServerRuns, removeLocalServerRecord,
  writeLocalServerRecord, type LocalServerRecord,
} from './local-server.ts';
export { DEFAULT_SCHEMAS } from './default-connection.ts';
