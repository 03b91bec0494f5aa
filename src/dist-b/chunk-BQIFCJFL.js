import {
  loadPgtyped,
  pgtypedVersions
} from "./chunk-OLCLYL6C.js";
import {
  PGTYPED_CONFIG_FILE,
  findOrphans,
  listQueryFiles,
  loadTypesSettings
} from "./chunk-3Q7U43SF.js";
import {
  lineAndColumn,
  splitStatements
} from "./chunk-GX35TSEW.js";
import {
  relativeToProject
} from "./chunk-ZXLN6B57.js";

// dist/types/generate-types.js
import { existsSync as existsSync3, mkdirSync as mkdirSync2, readFileSync as readFileSync3, rmSync, writeFileSync as writeFileSync2 } from "node:fs";
import path3 from "node:path";

// dist/types/generation-cache.js
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
function cacheFile(stateDir) {
  return path.join(stateDir, "types-cache.json");
}
function readCache(stateDir) {
  try {
    const parsed = JSON.parse(readFileSync(cacheFile(stateDir), "utf8"));
    return parsed.format === 1 && parsed.entries ? parsed.entries : {};
  } catch {
    return {};
  }
}
function writeCache(stateDir, entries) {
  mkdirSync(stateDir, { recursive: true });
  const file = cacheFile(stateDir);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify({ format: 1, entries }));
  renameSync(temp, file);
}
function inputKey(parts, fileText) {
  const hash = createHash("sha256");
  for (const part of parts)
    hash.update(part).update("\0");
  return hash.update(fileText).digest("hex").slice(0, 32);
}

// dist/types/migrations-hash.js
import { createHash as createHash2 } from "node:crypto";
import { existsSync, readdirSync, readFileSync as readFileSync2 } from "node:fs";
import path2 from "node:path";
var SHADOW_FORMAT = 1;
function migrationsHash(migrationsDir, schemas) {
  const hash = createHash2("sha256").update(`rb-shadow-${SHADOW_FORMAT}\0${schemas.join(",")}\0`);
  if (existsSync(migrationsDir)) {
    for (const name of readdirSync(migrationsDir).filter((n) => n.endsWith(".sql")).sort()) {
      hash.update(name).update("\0").update(readFileSync2(path2.join(migrationsDir, name))).update("\0");
    }
  }
  return hash.digest("hex").slice(0, 32);
}

// dist/types/query-warnings.js
import { existsSync as existsSync2 } from "node:fs";
function sourceWarnings(settings, files, shown) {
  const srcDir = shown(settings.srcDir);
  if (!existsSync2(settings.srcDir)) {
    return [`${PGTYPED_CONFIG_FILE}: srcDir ${srcDir} does not exist, so there are no queries to type; create it and put annotated queries (*.sql) there, or point srcDir at your queries`];
  }
  if (files.length === 0) {
    const includes = settings.transforms.map((t) => t.include).join(", ");
    return [`${PGTYPED_CONFIG_FILE}: no file under ${srcDir} matches ${includes}, so there are no queries to type; put annotated queries there, or point srcDir at your queries`];
  }
  return [];
}
function positionalParameterWarnings(relative, contents) {
  const warnings = [];
  for (const statement of splitStatements(contents)) {
    if (statement.placeholders.length === 0)
      continue;
    const first = statement.placeholders[0];
    const at = contents.lastIndexOf("@name", statement.start);
    const end = at === -1 ? -1 : contents.indexOf("*/", at);
    const annotation = end !== -1 && !contents.slice(end + 2, statement.start).trim() ? /^@name\s+([A-Za-z_$][\w$]*)/.exec(contents.slice(at)) : null;
    const name = annotation ? `query ${annotation[1]} ` : "";
    const used = [...new Set(statement.placeholders.map((at2) => /^\$\d+/.exec(contents.slice(at2))[0]))].join(", ");
    warnings.push(`${relative}:${lineAndColumn(contents, first).line}: ${name}uses ${used}: pgtyped types only named parameters, so the generated query takes no value for ${used.includes(",") ? "them" : "it"} and fails when it runs; write :name (e.g. :id!) instead`);
  }
  return warnings;
}

// dist/types/generate-types.js
import { TYPE_CHOICES_VERSION } from "@rbsql/runtime/type-choices";
var GENERATOR_VERSION = 4;
function readIfExists(file) {
  return existsSync3(file) ? readFileSync3(file, "utf8") : null;
}
async function generateTypes(config, options) {
  const check = Boolean(options.check);
  const settings = loadTypesSettings(config.projectDir);
  const files = listQueryFiles(config.projectDir, settings);
  const hash = migrationsHash(config.migrationsDir, config.schemas);
  const keyParts = [`rb-types-${GENERATOR_VERSION}-${TYPE_CHOICES_VERSION}`, pgtypedVersions(), hash, settings.fingerprint];
  const cache = options.noCache ? {} : readCache(config.stateDir);
  const texts = new Map(files.map((f) => [f.path, readFileSync3(f.path, "utf8")]));
  const keys = new Map(files.map((f) => [f.path, inputKey([...keyParts, f.relative], texts.get(f.path))]));
  const known = /* @__PURE__ */ new Map();
  const fileWarnings = /* @__PURE__ */ new Map();
  const toGenerate = [];
  for (const file of files) {
    const entry = cache[file.relative];
    if (entry && entry.key === keys.get(file.path)) {
      known.set(file.path, entry.content);
      if (entry.warnings)
        fileWarnings.set(file.path, entry.warnings);
    } else
      toGenerate.push(file);
  }
  const shown = (file) => relativeToProject(config, file);
  for (const file of files) {
    if (!fileWarnings.has(file.path))
      fileWarnings.set(file.path, positionalParameterWarnings(file.relative, texts.get(file.path)));
  }
  const warnings = [...sourceWarnings(settings, files, shown), ...files.flatMap((f) => fileWarnings.get(f.path))];
  const result = { check, files: [], problems: [], warnings, ignored: settings.ignored, generated: toGenerate.length };
  if (toGenerate.length > 0) {
    loadPgtyped().catch(() => {
    });
    const serverUrl = await options.serverUrl();
    const { ensureShadowDatabase } = await import("./shadow-database-LMQXBCWL.js");
    result.shadow = await ensureShadowDatabase({
      serverUrl,
      projectDir: config.projectDir,
      migrationsDir: config.migrationsDir,
      schemas: config.schemas,
      hash
    });
    const { generateQueryTypes } = await import("./pgtyped-generator-UX3SDYKX.js");
    const generation = await generateQueryTypes(toGenerate, settings, result.shadow.url);
    result.problems = generation.problems;
    result.warnings.push(...generation.warnings);
    if (result.problems.length > 0)
      return result;
    for (const output of generation.outputs)
      known.set(output.file.path, output.content);
  }
  const entries = {};
  for (const file of files) {
    const content = known.get(file.path) ?? null;
    const found = fileWarnings.get(file.path);
    entries[file.relative] = { key: keys.get(file.path), content, warnings: found };
    const output = path3.relative(config.projectDir, file.outputPath);
    const onDisk = readIfExists(file.outputPath);
    let status;
    if (content === null)
      status = "no-queries";
    else if (onDisk === content)
      status = "unchanged";
    else if (check)
      status = onDisk === null ? "missing" : "stale";
    else {
      mkdirSync2(path3.dirname(file.outputPath), { recursive: true });
      writeFileSync2(file.outputPath, content);
      status = "written";
    }
    result.files.push({ source: file.relative, output, status });
  }
  for (const orphan of findOrphans(config.projectDir, settings, files)) {
    if (!check)
      rmSync(path3.join(config.projectDir, orphan.output));
    result.files.push({ ...orphan, status: check ? "orphan" : "removed" });
  }
  const cacheCurrent = toGenerate.length === 0 && Object.keys(cache).length === files.length;
  if (!options.noCache && !cacheCurrent)
    writeCache(config.stateDir, entries);
  return result;
}

export {
  generateTypes
};
