/**
 * The PostgreSQL server tests run against, in this order of preference:
 *   1. TEST_DATABASE_URL (any server you point it at; databases are created on it),
 *   2. a testcontainers PostgreSQL 15 when a Docker engine answers,
 *   3. an embedded PostgreSQL 15 started for this test process in a temporary directory.
 * There is no "skip": if none of them works, the tests fail.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runProcess } from '../../src/process.ts';
import { startLocalServer, localServerUrl } from '../../src/local-db/embedded-server.ts';
import { saveSuperuserPassword } from '../../src/local-db/superuser-password.ts';

/**
 * The embedded test server's superuser password. Like rb's own server it asks every connection
 * for a password (scram-sha-256); tests know this one so they can put it into URLs they build
 * and assert that it is never printed. The server lives only as long as the test process.
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

async function startEmbedded(): Promise<TestServer> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'rb-test-pg-'));
  chmodSync(root, 0o755); // the unprivileged server user must reach its data directory inside
  const dataDir = path.join(root, 'server');
  const port = await freePort();
  const settings = { port, database: 'postgres', dataDir };
  // Stop the server when the test process ends, however it ends (SIGQUIT = immediate shutdown).
  process.on('exit', () => {
    const pidFile = path.join(dataDir, 'data', 'postmaster.pid');
    if (existsSync(pidFile)) {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGQUIT');
      } catch {
        // already gone
      }
    }
    rmSync(root, { recursive: true, force: true });
  });
  mkdirSync(dataDir);
  saveSuperuserPassword(dataDir, TEST_SERVER_PASSWORD);
  await startLocalServer(settings, {
    extraConfig: ['fsync = off', 'synchronous_commit = off', 'full_page_writes = off', 'max_connections = 200'],
  });
  // psql / pg_dump that tests run themselves with a password-less URL (rb gets no PGPASSWORD:
  // runRb passes a clean environment, so rb's own URLs must carry the password).
  process.env.PGPASSWORD = TEST_SERVER_PASSWORD;
  return { adminUrl: localServerUrl(settings, 'postgres'), kind: 'embedded' };
}
