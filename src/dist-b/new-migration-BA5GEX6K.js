import {
  migrationSlug,
  migrationTemplate,
  newMigration,
  utcVersion
} from "./chunk-OPGVUU22.js";
import "./chunk-LC5NCFF3.js";
import "./chunk-7U3JJN2P.js";
import "./chunk-GX35TSEW.js";
import "./chunk-APFTIODY.js";
import "./chunk-ZXLN6B57.js";
import "./chunk-RVO3MYFU.js";
export {
  migrationSlug,
  migrationTemplate,
  newMigration,
  utcVersion
};
