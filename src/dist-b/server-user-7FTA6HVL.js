import {
  runProcess
} from "./chunk-2M3JEVIH.js";
import "./chunk-NMHWLE4Q.js";
import {
  RbError
} from "./chunk-RVO3MYFU.js";

// dist/local-db/server-user.js
var USER_NAME = "postgres";
async function lookup(name) {
  const uid = await runProcess("id", ["-u", name]);
  const gid = await runProcess("id", ["-g", name]);
  if (!uid.ok || !gid.ok)
    return null;
  return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}
async function serverUser() {
  if (typeof process.getuid !== "function" || process.getuid() !== 0)
    return null;
  const existing = await lookup(USER_NAME);
  if (existing)
    return existing;
  const created = await runProcess("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", USER_NAME]);
  const user = await lookup(USER_NAME);
  if (!user) {
    throw new RbError(`running as root, rb needs a system user "${USER_NAME}" for PostgreSQL and could not create it: ${created.stderr.trim()}`);
  }
  return user;
}
export {
  serverUser
};
