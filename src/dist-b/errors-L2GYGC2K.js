import {
  ConnectionError,
  InterruptedError,
  MigrationError,
  RbError,
  RefusedError,
  UsageError
} from "./chunk-RVO3MYFU.js";
export {
  ConnectionError,
  InterruptedError,
  MigrationError,
  RbError,
  RefusedError,
  UsageError
};
