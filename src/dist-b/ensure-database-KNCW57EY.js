import {
  ensureDatabase,
  ensureUrlDatabase,
  quoteIdent,
  recreateDatabase
} from "./chunk-HJV3SOPZ.js";
import "./chunk-EKB3CR5R.js";
import "./chunk-ZES4J75L.js";
import "./chunk-ZXLN6B57.js";
import "./chunk-RVO3MYFU.js";
export {
  ensureDatabase,
  ensureUrlDatabase,
  quoteIdent,
  recreateDatabase
};
