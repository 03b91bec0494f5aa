import { readLocalServerRecord } from '@rbsql/runtime/project';
import { loadConfig } from '../config.ts';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/i;

/**
 * When a refused connection went to the port of this project's local PostgreSQL (a DATABASE_URL
 * copied from `rb db url`, after `rb db stop`): the hint to start it. Otherwise undefined.
 */
export function localServerRefusedHint(url: string): string | undefined {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname;
    port = Number(parsed.port || 5432);
  } catch {
    return undefined;
  }
  if (!LOOPBACK.test(host)) return undefined;
  try {
    const { local } = loadConfig();
    const recorded = local.recordFile ? readLocalServerRecord(local.recordFile)?.port : undefined;
    if (port !== local.port && port !== recorded) return undefined;
  } catch {
    return undefined; // no readable project here: no hint
  }
  return `rb's local PostgreSQL (port ${port}) is not running: start it with rb db start`;
}
