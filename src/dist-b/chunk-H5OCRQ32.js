import {
  describeUnadopted
} from "./chunk-BD5HN5VJ.js";
import {
  describeHolder,
  describeSessions
} from "./chunk-75RHIA2Z.js";

// dist/migrations/migration-events.js
function describeMigrationEvent(event) {
  switch (event.kind) {
    case "lock-wait":
      return `waiting for the migration lock (${Math.round(event.waitedMs / 1e3)}s so far): held by ${describeHolder(event.holder)}`;
    case "session-wait":
      return `waiting for a migration session of an earlier rb run to end (${Math.round(event.waitedMs / 1e3)}s so far): ${describeSessions(event.sessions)}; that rb was stopped while dbmate applied a migration, and dbmate carries on until it is done`;
    case "lock-retry":
      return `${event.fileName}: lock timeout (lock_timeout ${event.lockTimeout}); retrying in ${event.waitMs / 1e3}s (attempt ${event.attempt} of ${event.attempts})`;
    case "edit-accepted":
      return `warning: ${event.fileName} was edited after it was applied; --allow-edited: recorded its new checksum`;
    case "edited-rollback":
      return `warning: ${event.fileName} was edited after it was applied; rolling it back with the down section it has now`;
    case "unadopted":
      return describeUnadopted(event.unadopted, event.target);
  }
}

export {
  describeMigrationEvent
};
