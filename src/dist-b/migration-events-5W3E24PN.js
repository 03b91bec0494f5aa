import {
  describeMigrationEvent
} from "./chunk-H5OCRQ32.js";
import "./chunk-BD5HN5VJ.js";
import "./chunk-75RHIA2Z.js";
import "./chunk-J3NTZTBQ.js";
import "./chunk-2M3JEVIH.js";
import "./chunk-NMHWLE4Q.js";
import "./chunk-IUNTMCXC.js";
import "./chunk-7U3JJN2P.js";
import "./chunk-GX35TSEW.js";
import "./chunk-APFTIODY.js";
import "./chunk-EKB3CR5R.js";
import "./chunk-ZES4J75L.js";
import "./chunk-ZXLN6B57.js";
import "./chunk-RVO3MYFU.js";
export {
  describeMigrationEvent
};
