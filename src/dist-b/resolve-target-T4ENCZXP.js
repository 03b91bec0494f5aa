import {
  identifyTarget,
  resolveTarget
} from "./chunk-LWDHCSGX.js";
import "./chunk-EKB3CR5R.js";
import "./chunk-ZES4J75L.js";
import "./chunk-ZXLN6B57.js";
import "./chunk-RVO3MYFU.js";
export {
  identifyTarget,
  resolveTarget
};
