import {
  parseFileName,
  readMigrationFile
} from "./chunk-7U3JJN2P.js";
import {
  relativeToProject
} from "./chunk-ZXLN6B57.js";
import {
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/migrations/migration-directory.js
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { findProjectRoot } from "@rbsql/runtime/project";
function versionNumber(version) {
  return version.replace(/^0+(?=\d)/, "");
}
function listMigrations(dir) {
  if (!existsSync(dir))
    return [];
  const entries = [];
  const seen = /* @__PURE__ */ new Map();
  const shown = (fileName) => relativeToProject({ projectDir: findProjectRoot() }, path.join(dir, fileName));
  for (const fileName of readdirSync(dir).sort()) {
    if (!fileName.endsWith(".sql"))
      continue;
    const parsed = parseFileName(fileName);
    if (!parsed) {
      throw new UsageError(`${shown(fileName)}: not a migration file name; rename it to <version>_<name>.sql (digits, an underscore, a name)`);
    }
    const other = seen.get(versionNumber(parsed.version));
    if (other) {
      throw new UsageError(`${shown(fileName)}: ${duplicateVersionProblem(parsed.version, other)}`);
    }
    seen.set(versionNumber(parsed.version), fileName);
    entries.push({ ...parsed, fileName, path: path.join(dir, fileName) });
  }
  return entries.sort((a, b) => compareVersions(a.version, b.version));
}
function duplicateVersionProblem(version, otherFile) {
  const otherVersion = otherFile.split("_")[0];
  const same = otherVersion === version ? `version ${version} is also used by ${otherFile}` : `version ${version} is the same number as ${otherVersion} of ${otherFile}`;
  return `${same}; give one of them a new version (rb new-migration makes a fresh one)`;
}
function compareVersions(a, b) {
  const byLength = a.replace(/^0+/, "").length - b.replace(/^0+/, "").length;
  if (byLength !== 0)
    return byLength;
  const na = a.replace(/^0+/, "");
  const nb = b.replace(/^0+/, "");
  return na < nb ? -1 : na > nb ? 1 : 0;
}
function readMigrations(dir, entries, projectDir = findProjectRoot(), moreProblems) {
  const files = [];
  const problems = [];
  for (const entry of entries) {
    try {
      const shownAs = relativeToProject({ projectDir }, path.join(dir, entry.fileName));
      const file = readMigrationFile(dir, entry.fileName, shownAs);
      files.push(file);
      if (moreProblems)
        problems.push(...moreProblems(file, shownAs));
    } catch (error) {
      if (!(error instanceof UsageError))
        throw error;
      problems.push(error.message);
    }
  }
  if (problems.length)
    throw new UsageError(problems.join("\n"));
  return files;
}

export {
  versionNumber,
  listMigrations,
  duplicateVersionProblem,
  compareVersions,
  readMigrations
};
