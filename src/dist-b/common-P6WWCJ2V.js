import {
  configAndTarget,
  refuseProductionServer,
  refuseTargetFlags,
  targetJson,
  targetLabel
} from "./chunk-X6FAZUW5.js";
import "./chunk-LWDHCSGX.js";
import "./chunk-EKB3CR5R.js";
import "./chunk-ZES4J75L.js";
import {
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import "./chunk-RVO3MYFU.js";
export {
  configAndTarget,
  refuseProductionServer,
  refuseTargetFlags,
  relativeToProject,
  targetJson,
  targetLabel
};
