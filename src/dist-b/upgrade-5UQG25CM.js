import {
  outOfOrderEntries,
  refuseUnsafe,
  upgrade
} from "./chunk-CXK23MUU.js";
import "./chunk-AJG3EPZD.js";
import "./chunk-HCAWX5Z5.js";
import "./chunk-MDXE5UZ2.js";
import "./chunk-LWDHCSGX.js";
import "./chunk-IUNTMCXC.js";
import "./chunk-LC5NCFF3.js";
import "./chunk-7U3JJN2P.js";
import "./chunk-GX35TSEW.js";
import "./chunk-APFTIODY.js";
import "./chunk-EKB3CR5R.js";
import "./chunk-ZES4J75L.js";
import "./chunk-ZXLN6B57.js";
import "./chunk-RVO3MYFU.js";
export {
  outOfOrderEntries,
  refuseUnsafe,
  upgrade
};
