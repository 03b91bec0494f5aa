import {
  runProcess
} from "./chunk-2M3JEVIH.js";
import "./chunk-NMHWLE4Q.js";
export {
  runProcess
};
