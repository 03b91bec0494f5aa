/**
 * The PostgreSQL server tests run against, in this order of preference:
 *   1. TEST_DATABASE_URL (any server you point it at; databases are created on it),
 *   2. a testcontainers PostgreSQL 15 when a Docker engine answers,
 *   3. an embedded PostgreSQL 15 started for this test process in a temporary directory.
 * There is no "skip": if none of them works, the tests fail.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { runProcess } from '../../src/process.ts';
import { localServerUrl, startLocalServer, stopLocalServer } from '../../src/local-db/embedded-server.ts';
import { saveSuperuserPassword } from '../../src/local-db/superuser-password.ts';
import { onTestExit, sleepSync, tempDir } from './temp.ts';

type LocalServerSettings = Parameters<typeof startLocalServer>[0];

/**
 * The embedded test servers' superuser password. Like rb's own server they ask every connection
 * for a password (scram-sha-256); tests know this one so they can put it into URLs they build
 * and assert that it is never printed. The servers live only as long as the test process.
 */
export const TEST_SERVER_PASSWORD = 'hunter2';

export interface TestServer {
  /** URL of a database we may create other databases from (superuser). */
  adminUrl: string;
  kind: 'env' | 'testcontainers' | 'embedded';
}

let serverPromise: Promise<TestServer> | undefined;

export function testServer(): Promise<TestServer> {
  serverPromise ??= startTestServer();
  return serverPromise;
}

async function startTestServer(): Promise<TestServer> {
  if (process.env.TEST_DATABASE_URL) return { adminUrl: process.env.TEST_DATABASE_URL, kind: 'env' };
  if (await dockerEngineAnswers()) return startContainer();
  return startEmbedded();
}

async function dockerEngineAnswers(): Promise<boolean> {
  try {
    const result = await Promise.race([
      runProcess('docker', ['info', '--format', '{{.ServerVersion}}']),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 5000).unref()),
    ]);
    return Boolean(result && result.ok && result.stdout.trim());
  } catch {
    return false; // no docker CLI at all
  }
}

async function startContainer(): Promise<TestServer> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer('postgres:15')
    .withEnvironment({ POSTGRES_PASSWORD: 'postgres' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  process.on('exit', () => void container.stop());
  return {
    adminUrl: `postgres://postgres:postgres@${container.getHost()}:${container.getMappedPort(5432)}/postgres?sslmode=disable`,
    kind: 'testcontainers',
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** An embedded server in this process's temporary root, stopped (immediate shutdown) when the process ends. */
async function embeddedServer(extraConfig: string[]): Promise<LocalServerSettings> {
  const root = tempDir('pg-');
  chmodSync(root, 0o755); // the unprivileged server user must reach its data directory inside
  const dataDir = path.join(root, 'server');
  const settings = { port: await freePort(), database: 'postgres', dataDir };
  // Stop the server when the test process ends, however it ends (SIGQUIT = immediate shutdown),
  // and wait for it to be gone before its directory is removed (temp.ts).
  onTestExit(() => {
    const pidFile = path.join(dataDir, 'data', 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    try {
      process.kill(pid, 'SIGQUIT');
      for (let waited = 0; waited < 5000; waited += 20) {
        process.kill(pid, 0); // throws ESRCH once the server is gone
        sleepSync(20);
      }
    } catch {
      // gone
    }
  });
  mkdirSync(dataDir, { recursive: true });
  saveSuperuserPassword(dataDir, TEST_SERVER_PASSWORD);
  await startLocalServer(settings, { extraConfig });
  return settings;
}

async function startEmbedded(): Promise<TestServer> {
  const settings = await embeddedServer(['fsync = off', 'synchronous_commit = off', 'full_page_writes = off', 'max_connections = 200']);
  // psql / pg_dump that tests run themselves with a password-less URL (rb gets no PGPASSWORD:
  // runRb passes a clean environment, so rb's own URLs must carry the password).
  process.env.PGPASSWORD = TEST_SERVER_PASSWORD;
  return { adminUrl: localServerUrl(settings, 'postgres'), kind: 'embedded' };
}

/** A server of a test's own, for what must not happen to the shared one (a restart). */
export interface DedicatedServer {
  /** URL of its `postgres` database (superuser). */
  adminUrl: string;
  port: number;
  /** Its data directory (pg_hba.conf, postgresql.conf are in it). */
  dataDir: string;
  /** pg_ctl stop -m fast: sessions end with 57P01, as in a restart. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function dedicatedServer(): Promise<DedicatedServer> {
  const settings = await embeddedServer(['fsync = off', 'full_page_writes = off']);
  return {
    adminUrl: localServerUrl(settings, 'postgres'),
    port: settings.port,
    dataDir: path.join(settings.dataDir, 'data'),
    stop: async () => void (await stopLocalServer(settings)),
    start: async () => void (await startLocalServer(settings)),
  };
}
