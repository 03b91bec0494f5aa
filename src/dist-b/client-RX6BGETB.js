import {
  asConnectionError,
  connect,
  connectOptions,
  connectionFailureReason,
  connectionLossReason,
  offerClient,
  withClient
} from "./chunk-EKB3CR5R.js";
import "./chunk-ZES4J75L.js";
import "./chunk-ZXLN6B57.js";
import "./chunk-RVO3MYFU.js";
export {
  asConnectionError,
  connect,
  connectOptions,
  connectionFailureReason,
  connectionLossReason,
  offerClient,
  withClient
};
