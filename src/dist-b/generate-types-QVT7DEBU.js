import {
  generateTypes
} from "./chunk-BQIFCJFL.js";
import "./chunk-OLCLYL6C.js";
import "./chunk-3Q7U43SF.js";
import "./chunk-GX35TSEW.js";
import "./chunk-ZXLN6B57.js";
import "./chunk-RVO3MYFU.js";
export {
  generateTypes
};
