// Validates a GoReleaser v2 config against GoReleaser's JSON schema and
// reports deprecated properties. Run through .ci/goreleaser-check, which
// installs the pinned npm packages this script needs.
//
// usage: node .ci/check-goreleaser.mjs --modules DIR --schema FILE CONFIG...
//   --modules DIR  a directory whose node_modules holds @cfworker/json-schema
//                  and yaml
//   --schema FILE  the output of `goreleaser jsonschema` (JSON Schema 2020-12)
//
// The validator is @cfworker/json-schema, not ajv: ajv 8.20.0 cannot compile
// this schema (RangeError: Maximum call stack size exceeded), as it resolves
// the `$ref: "#/$defs/FileInfo"` that sits beside `$id: .../file-info`
// against the root document instead of that `$id`, and so loops.
//
// Exit code: 0 valid, 1 invalid, 2 valid but uses deprecated properties
// (the same codes as `goreleaser check`).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";

// Properties for which GoReleaser v2.18.2 prints a deprecation notice
// (every deprecate.Notice call in its internal/pipe, written as YAML paths:
// its "snaps.builds" is the snapcrafts[].builds key), plus the top-level
// keys its config structs tag jsonschema:"deprecated=true". The published
// schema carries no `deprecated` annotations, hence this list.
const DEPRECATED = [
  "archives.builds",
  "archives.format",
  "archives.format_overrides.format",
  "brews",
  "builds.gobinary",
  "docker_manifests",
  "docker_manifests.retry",
  "dockers",
  "dockers.retry",
  "dockers_v2.retry",
  "homebrew_casks.binary",
  "homebrew_casks.conflicts.formula",
  "homebrew_casks.manpage",
  "homebrew_casks.url.verified",
  "kos.repository",
  "kos.sbom",
  "mcp.github",
  "nfpms.builds",
  "snapcrafts.builds",
  "snapshot.name_template",
];

function parseArgs(argv) {
  const opts = { modules: null, schema: null, configs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--modules") opts.modules = argv[++i];
    else if (a === "--schema") opts.schema = argv[++i];
    else if (a.startsWith("--")) throw new Error(`unknown flag ${a}`);
    else opts.configs.push(a);
  }
  if (!opts.modules || !opts.schema || opts.configs.length === 0) {
    throw new Error("usage: check-goreleaser.mjs --modules DIR --schema FILE CONFIG...");
  }
  return opts;
}

// Walks `value` along the dotted `keys`, descending into arrays, and
// returns the JSON paths at which the last key is present.
function findPaths(value, keys, at = "") {
  if (Array.isArray(value)) {
    return value.flatMap((v, i) => findPaths(v, keys, `${at}[${i}]`));
  }
  if (value === null || typeof value !== "object" || !(keys[0] in value)) return [];
  const here = at ? `${at}.${keys[0]}` : keys[0];
  if (keys.length === 1) return [here];
  return findPaths(value[keys[0]], keys.slice(1), here);
}

// The validator reports every schema it passed through on the way down
// ("A subschema had errors."); keep the errors that say what is wrong.
function leafErrors(errors) {
  // "False boolean schema." repeats an additionalProperties error.
  const wrappers = /^(A subschema had errors|Property ".*" does not match schema|Items did not match schema|Instance does not match (exactly one|any) subschema|False boolean schema)/;
  const leaves = errors.filter((e) => !wrappers.test(e.error));
  return leaves.length > 0 ? leaves : errors;
}

function checkOne(file, { YAML, validator }) {
  const src = readFileSync(file, "utf8");
  // uniqueKeys: a duplicate key is an error, as in GoReleaser's strict load.
  const doc = YAML.parseDocument(src, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) console.error(`${file}: YAML error: ${e.message}`);
    return 1;
  }
  const config = doc.toJS({ maxAliasCount: 1000 }) ?? {};
  if (config.version !== 2) {
    console.error(`${file}: only 'version: 2' configuration files are supported, got version: ${config.version}`);
    return 1;
  }
  const result = validator.validate(config);
  if (!result.valid) {
    for (const e of leafErrors(result.errors)) {
      console.error(`${file}: ${e.instanceLocation}: ${e.error} (schema ${e.keywordLocation})`);
    }
    return 1;
  }
  const deprecated = DEPRECATED.flatMap((p) => findPaths(config, p.split(".")));
  if (deprecated.length > 0) {
    for (const p of deprecated) console.error(`${file}: ${p} is deprecated in GoReleaser v2`);
    console.error(`${file}: configuration is valid, but uses deprecated properties`);
    return 2;
  }
  console.log(`${file}: valid against the GoReleaser schema, no deprecated properties`);
  return 0;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const require = createRequire(path.join(path.resolve(opts.modules), "node_modules", "noop.js"));
  const YAML = require("yaml");
  const { Validator } = require("@cfworker/json-schema");

  const schema = JSON.parse(readFileSync(opts.schema, "utf8"));
  // draft 2020-12 as the schema declares; shortCircuit off: report all errors
  const validator = new Validator(schema, "2020-12", false);

  let exit = 0;
  for (const file of opts.configs) {
    const rc = checkOne(file, { YAML, validator });
    // as goreleaser check: report the most severe (lowest non-zero) code
    if (rc !== 0 && (exit === 0 || rc < exit)) exit = rc;
  }
  process.exitCode = exit;
}

try {
  main();
} catch (err) {
  console.error(`check-goreleaser: ${err.message}`);
  process.exitCode = 1;
}
