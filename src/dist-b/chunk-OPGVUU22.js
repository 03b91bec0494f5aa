import {
  listMigrations
} from "./chunk-LC5NCFF3.js";
import {
  UsageError
} from "./chunk-RVO3MYFU.js";

// dist/migrations/new-migration.js
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
function migrationSlug(words) {
  return words.join(" ").normalize("NFKD").replace(/([A-Za-z])[\u0300-\u036f]+/g, "$1").normalize("NFC").replace(new RegExp("([\\p{Ll}\\p{N}])(\\p{Lu})", "gu"), "$1_$2").toLowerCase().replace(/[^\p{L}\p{M}\p{N}]+/gu, "_").replace(/^_+|_+$/g, "");
}
var MAX_SLUG_CHARACTERS = 100;
var MAX_SLUG_BYTES = 200;
function utcVersion(date) {
  return date.toISOString().replace(/[-:T]/g, "").slice(0, 14);
}
function migrationTemplate(slug, schema) {
  const example = Array.from(slug).slice(0, 40).join("");
  return `-- migrate:up
-- Write the change here. Each section runs in one transaction; add "transaction:false"
-- after the marker for statements that cannot (CREATE INDEX CONCURRENTLY).
-- Example:
--   create table ${schema}.${example} (id bigint generated always as identity primary key);

-- migrate:down
-- Undo exactly what the up section did, in reverse order. Example:
--   drop table ${schema}.${example};

`;
}
function newMigration(migrationsDir, words, schema, now = /* @__PURE__ */ new Date()) {
  const slug = migrationSlug(words);
  if (!slug) {
    const given = words.join(" ");
    throw new UsageError(`migration name ${given ? `"${given}" has no letters or digits` : "is missing"}; use words such as: rb new-migration add my model`);
  }
  const characters = Array.from(slug).length;
  if (characters > MAX_SLUG_CHARACTERS) {
    throw new UsageError(`migration name is ${characters} characters long; keep it to ${MAX_SLUG_CHARACTERS} (it becomes the file name)`);
  }
  const bytes = Buffer.byteLength(slug);
  if (bytes > MAX_SLUG_BYTES) {
    throw new UsageError(`migration name takes ${bytes} bytes in UTF-8; keep it to ${MAX_SLUG_BYTES} (it becomes the file name, which may hold 255 bytes)`);
  }
  let version = utcVersion(now);
  const taken = new Set(listMigrations(migrationsDir).map((m) => m.version));
  while (taken.has(version))
    version = utcVersion(new Date(Date.parse(`${version.slice(0, 4)}-${version.slice(4, 6)}-${version.slice(6, 8)}T${version.slice(8, 10)}:${version.slice(10, 12)}:${version.slice(12, 14)}Z`) + 1e3));
  const fileName = `${version}_${slug}.sql`;
  const filePath = path.join(migrationsDir, fileName);
  mkdirSync(migrationsDir, { recursive: true });
  try {
    writeFileSync(filePath, migrationTemplate(slug, schema), { flag: "wx" });
  } catch (error) {
    if (error.code === "EEXIST") {
      throw new UsageError(`${filePath} already exists; rb never overwrites a migration, pick another name`);
    }
    throw error;
  }
  return { path: filePath, fileName, version };
}

export {
  migrationSlug,
  utcVersion,
  migrationTemplate,
  newMigration
};
