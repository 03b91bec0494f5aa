// dist/adopt/adoption-hint.js
function sameTargetFlags(target) {
  if (target.kind === "prod")
    return " --prod";
  if (target.source === "--database-url")
    return " --database-url <the same URL>";
  return "";
}
function describeUnadopted(unadopted, target) {
  const flags = sameTargetFlags(target);
  const importable = unadopted.otherTools.find((t) => t.tool.importer);
  if (importable) {
    return `warning: no migration is recorded on this database, but ${importable.table} is ${importable.tool.tool}'s tracking table; convert that history into rb migrations and record it here with rb import ${importable.tool.importer} <${importable.tool.tool}'s migrations directory>${flags}, or adopt the database as it is with rb baseline${flags}`;
  }
  const schemas = unadopted.schemas.join(", ");
  const other = unadopted.otherTools[0];
  if (!unadopted.tables && !other) {
    const where = unadopted.elsewhere.map((e) => `${e.schema} (${e.tables})`).join(", ");
    return `warning: no migration is recorded on this database, and its tables are in ${where}, outside the schema${unadopted.schemas.length > 1 ? "s" : ""} rb manages (${schemas}); if they are the app's, name them in package.json ("rb": {"schemas": ${JSON.stringify(unadopted.elsewhere.map((e) => e.schema))}}) and adopt the database with rb baseline${flags}`;
  }
  const why = unadopted.tables ? `schema${unadopted.schemas.length > 1 ? "s" : ""} ${schemas} hold${unadopted.schemas.length > 1 ? "" : "s"} ${unadopted.tables} table(s), but no migration is recorded on this database` : `no migration is recorded on this database, but ${other.table} is ${other.tool.tool}'s tracking table (rb cannot convert that history)`;
  return `warning: ${why}; adopt it as it is with rb baseline${flags}: it writes a baseline migration of the schema and records it as applied without running it (applying the migrations from the first would fail on what exists)`;
}

export {
  describeUnadopted
};
