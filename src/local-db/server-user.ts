import { runProcess } from '../process.ts';
import { RbError } from '../errors.ts';

export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

const USER_NAME = 'postgres';

async function lookup(name: string): Promise<ServerUser | null> {
  const uid = await runProcess('id', ['-u', name]);
  const gid = await runProcess('id', ['-g', name]);
  if (!uid.ok || !gid.ok) return null;
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * PostgreSQL refuses to run as root. As root (CI, containers) the embedded server runs as the
 * system user "postgres", created when missing; as anyone else it runs as that user (null).
 */
export async function serverUser(): Promise<ServerUser | null> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const existing = await lookup(USER_NAME);
  if (existing) return existing;
  const created = await runProcess('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', USER_NAME]);
  const user = await lookup(USER_NAME);
  if (!user) {
    throw new RbError(`running as root, rb needs a system user "${USER_NAME}" for PostgreSQL and could not create it: ${created.stderr.trim()}`);
  }
  return user;
}
