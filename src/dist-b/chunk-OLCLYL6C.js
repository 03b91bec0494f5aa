import {
  RbError
} from "./chunk-RVO3MYFU.js";

// dist/types/pgtyped-library.js
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
var __rewriteRelativeImportExtension = function(path, preserveJsx) {
  if (typeof path === "string" && /^\.\.?\//.test(path)) {
    return path.replace(/\.(tsx)$|((?:\.d)?)((?:\.[^./]+?)?)\.([cm]?)ts$/i, function(m, tsx, d, ext, cm) {
      return tsx ? preserveJsx ? ".jsx" : ".js" : d && (!ext || !cm) ? m : d + ext + "." + cm.toLowerCase() + "js";
    });
  }
  return path;
};
function vendorFile(name) {
  const candidates = [new URL(`../vendor/${name}`, import.meta.url), new URL(`../dist/vendor/${name}`, import.meta.url)];
  const found = candidates.find((url) => existsSync(url));
  if (!found) {
    throw new RbError(`rb's bundled pgtyped (${fileURLToPath(candidates[0])}) is missing; run "npm run build" in @rbsql/cli (make build here), or reinstall @rbsql/cli`);
  }
  return found;
}
var loading;
function loadPgtyped() {
  loading ??= (async () => {
    return await import(__rewriteRelativeImportExtension(vendorFile("pgtyped.js").href));
  })();
  return loading;
}
function pgtypedVersions() {
  return JSON.stringify(JSON.parse(readFileSync(vendorFile("pgtyped.json"), "utf8")).packages);
}

export {
  loadPgtyped,
  pgtypedVersions
};
