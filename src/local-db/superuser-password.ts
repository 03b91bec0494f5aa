import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RbError } from '../errors.ts';

/**
 * The embedded server's superuser password: generated once, kept beside its data directory in
 * a file only the user who runs rb may read (mode 0600), and put into the URLs rb builds. The
 * server asks every connection for it (scram-sha-256), so other local users cannot connect.
 */
const FILE_NAME = 'superuser-password';

export function passwordFile(root: string): string {
  return path.join(root, FILE_NAME);
}

export function readSuperuserPassword(root: string): string | undefined {
  const file = passwordFile(root);
  if (!existsSync(file)) return undefined;
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
    throw new RbError(`cannot read ${file}: the local PostgreSQL belongs to another user; run rb as the user who created ${root}, or set RB_LOCAL_DATA_DIR to a directory of your own`);
  }
}

/** Writes the password file (0600, replaced atomically). */
export function saveSuperuserPassword(root: string, password: string): void {
  const file = passwordFile(root);
  const partial = `${file}.${process.pid}.partial`;
  rmSync(partial, { force: true });
  writeFileSync(partial, `${password}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(partial, file);
}

/** The password kept under root; a new random one (URL-safe, 192 bits) when there is none yet. */
export function ensureSuperuserPassword(root: string): string {
  const existing = readSuperuserPassword(root);
  if (existing) return existing;
  const password = randomBytes(24).toString('base64url');
  saveSuperuserPassword(root, password);
  return password;
}

/**
 * SCRAM iterations of the superuser's verifier: 1000, the fewest dbmate's driver (lib/pq) takes
 * ("invalid SCRAM-SHA-256 iteration count" below that); PostgreSQL 15 stores 4096. Iterations slow
 * down guessing a password from a stolen verifier; this password is 192 random bits, so they add no
 * safety, while every login pays them: pgtyped's SCRAM is plain JavaScript, ~30 ms of each
 * `rb types` at 4096 and ~7 ms at 1000 (README, "What each command costs").
 */
export const SCRAM_ITERATIONS = 1000;

/** Whether a stored verifier (pg_authid.rolpassword) already uses SCRAM_ITERATIONS. */
export function hasScramIterations(rolpassword: string | null): boolean {
  return rolpassword?.startsWith(`SCRAM-SHA-256$${SCRAM_ITERATIONS}:`) ?? false;
}

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 7677, as libpq's
 * PQencryptPasswordConn builds it): ALTER ROLE ... PASSWORD '<verifier>' sets the password
 * without sending it, so it cannot show up in the server log or pg_stat_activity.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
