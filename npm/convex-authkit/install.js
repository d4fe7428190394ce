"use strict";
// The install step (postinstall), as esbuild does it: on Unix, replace the
// JS launcher in bin/ with the native binary, so that running convex-authkit
// (npx, package.json scripts, node_modules/.bin) starts the binary directly
// instead of Node first. Nothing is downloaded: the binary comes from the
// platform package npm already installed. Any failure leaves the launcher in
// place, which works everywhere, so this step never fails an install.

const fs = require("fs");
const path = require("path");
const { execFileSync } = require("child_process");
const native = require("./lib/native.js");

function main() {
  // npm's Windows shims in node_modules/.bin run the bin entry with node.
  if (process.platform === "win32") return;
  let bin;
  try {
    bin = native.binaryPath();
  } catch (err) {
    // The launcher says what is missing when it is run.
    if (err instanceof native.LaunchError) return;
    throw err;
  }
  // Only a binary that runs and is this release may replace the launcher.
  const out = execFileSync(bin, ["version", "--json"], { encoding: "utf8", timeout: 30000 });
  const want = require("./package.json").version;
  if (JSON.parse(out).version !== want) return;

  // Made beside the launcher and renamed over it, so that bin/ holds either
  // the launcher or the whole binary, never part of one.
  const launcher = path.join(__dirname, "bin", "convex-authkit");
  const tmp = launcher + ".install-" + process.pid;
  try {
    try {
      fs.linkSync(bin, tmp);
    } catch {
      fs.copyFileSync(bin, tmp);
    }
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, launcher);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

try {
  main();
} catch {
  // Keep the launcher; see above.
}
