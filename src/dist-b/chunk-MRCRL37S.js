// dist/lock-modes.js
var LOCK_MODES = [
  "AccessShareLock",
  "RowShareLock",
  "RowExclusiveLock",
  "ShareUpdateExclusiveLock",
  "ShareLock",
  "ShareRowExclusiveLock",
  "ExclusiveLock",
  "AccessExclusiveLock"
];
function lockStrength(mode) {
  return LOCK_MODES.indexOf(mode);
}
function blockedBy(mode) {
  if (mode === "AccessExclusiveLock")
    return "reads and writes";
  return lockStrength(mode) >= lockStrength("ShareLock") ? "writes" : "nothing";
}
function lockName(mode) {
  return mode.replace(/Lock$/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toUpperCase();
}
function lockEffect(mode) {
  if (!LOCK_MODES.includes(mode))
    return "see the PostgreSQL lock table";
  if (mode === "RowExclusiveLock")
    return "reads and writes of other rows go on; writes to the rows it changed wait until it commits";
  if (mode === "ShareUpdateExclusiveLock")
    return "blocks schema changes and VACUUM; reads and writes go on";
  const blocked = blockedBy(mode);
  return blocked === "reads and writes" ? "blocks reads and writes" : blocked === "writes" ? "blocks writes; reads go on" : "reads and writes go on";
}

export {
  LOCK_MODES,
  lockStrength,
  blockedBy,
  lockName,
  lockEffect
};
