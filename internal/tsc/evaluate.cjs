// Evaluates one ES module the way a Convex deployment evaluates
// auth.config.ts: compiled to JavaScript, run with nothing but process.env,
// and its default export passed through JSON.stringify. Usage:
//   node evaluate.cjs FILE ENV_JSON
// It prints the JSON on stdout, or the error on stderr and exits 1.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");
const ts = require(path.join(process.cwd(), "node_modules", "typescript"));

const [file, envJSON] = process.argv.slice(2);
const js = ts.transpileModule(fs.readFileSync(file, "utf8"), {
  fileName: file,
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2021 },
}).outputText;
const mod = { exports: {} };
vm.runInNewContext(js, {
  module: mod,
  exports: mod.exports,
  process: { env: JSON.parse(envJSON) },
  require: (name) => {
    throw new Error(`auth.config imports ${name} at run time`);
  },
});
process.stdout.write(String(JSON.stringify(mod.exports.default)));
