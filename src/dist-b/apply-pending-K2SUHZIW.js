import {
  applyPending,
  lockOptions
} from "./chunk-HFBZANS3.js";
import "./chunk-WCGRPLJ2.js";
import "./chunk-F2VM4MHE.js";
import "./chunk-CXK23MUU.js";
import "./chunk-75RHIA2Z.js";
import "./chunk-AJG3EPZD.js";
import "./chunk-HCAWX5Z5.js";
import "./chunk-MDXE5UZ2.js";
import "./chunk-H26FYK5V.js";
import "./chunk-LHYBNGSH.js";
import "./chunk-J3NTZTBQ.js";
import "./chunk-2M3JEVIH.js";
import "./chunk-LWDHCSGX.js";
import "./chunk-NMHWLE4Q.js";
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
  applyPending,
  lockOptions
};
