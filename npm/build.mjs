#!/usr/bin/env node
// Builds the npm packages from a release's binaries: convex-authkit (the
// launcher, the install step and the list of platform packages as optional
// dependencies) and one @convex-authkit/<os>-<cpu> package per binary, with
// os/cpu fields so that npm installs only the one that fits.
//
//   node npm/build.mjs --version 1.2.3 --out DIR --goreleaser dist
//   node npm/build.mjs --version 1.2.3 --out DIR linux/amd64=path/to/convex-authkit ...
//
// --goreleaser reads the binaries from GoReleaser's dist/artifacts.json.
// Each package is written to DIR/<name without the scope>, ready for npm
// pack or npm publish. Needs nothing but Node.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const template = path.join(here, "convex-authkit");
const NODE_OS = { linux: "linux", darwin: "darwin", windows: "win32" };
const NODE_CPU = { amd64: "x64", arm64: "arm64" };
const REPOSITORY = { type: "git", url: "git+https://github.com/convex-authkit/convex-authkit.git" };

class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { binaries: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--version" || arg === "--out" || arg === "--goreleaser") {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      opts[arg.slice(2)] = argv[++i];
    } else if (/^[a-z0-9]+\/[a-z0-9]+=./.test(arg)) {
      const [target, file] = [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)];
      const [goos, goarch] = target.split("/");
      opts.binaries.push({ goos, goarch, path: file });
    } else {
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    }
  }
  if (!opts.version || !opts.out) throw new UsageError("--version and --out are required");
  opts.version = opts.version.replace(/^v/, "");
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(opts.version)) {
    throw new UsageError(`--version ${JSON.stringify(opts.version)} is not a semantic version (1.2.3 or 1.2.3-rc.1)`);
  }
  if (opts.goreleaser) opts.binaries.push(...goreleaserBinaries(opts.goreleaser));
  if (opts.binaries.length === 0) throw new UsageError("no binaries: pass --goreleaser DIST or OS/ARCH=PATH");
  return opts;
}

// goreleaserBinaries lists the binaries GoReleaser built, with paths made
// absolute (artifacts.json holds them relative to the project root, the
// parent of dist).
function goreleaserBinaries(dist) {
  const artifacts = JSON.parse(fs.readFileSync(path.join(dist, "artifacts.json"), "utf8"));
  const root = path.dirname(path.resolve(dist));
  return artifacts
    .filter((a) => a.type === "Binary")
    .map((a) => ({ goos: a.goos, goarch: a.goarch, path: path.resolve(root, a.path) }));
}

function writeJSON(file, value) {
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
}

function copy(from, to, mode) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  fs.chmodSync(to, mode);
}

function platformPackage(out, version, { os, cpu, path: binary }) {
  const name = `@convex-authkit/${os}-${cpu}`;
  const dir = path.join(out, `${os}-${cpu}`);
  const exe = os === "win32" ? "convex-authkit.exe" : "convex-authkit";
  copy(binary, path.join(dir, "bin", exe), 0o755);
  fs.writeFileSync(
    path.join(dir, "README.md"),
    `# ${name}\n\nThe ${os}-${cpu} binary of [convex-authkit](https://www.npmjs.com/package/convex-authkit). ` +
      "Install `convex-authkit`, which depends on this package when it fits the platform.\n",
  );
  writeJSON(path.join(dir, "package.json"), {
    name,
    version,
    description: `The ${os}-${cpu} binary of convex-authkit`,
    repository: REPOSITORY,
    os: [os],
    cpu: [cpu],
    // Yarn: the binary must be a real file on disk to be executed.
    preferUnplugged: true,
  });
  return name;
}

function mainPackage(out, version, platformNames) {
  const dir = path.join(out, "convex-authkit");
  for (const file of ["README.md", "install.js", "lib/native.js"]) {
    copy(path.join(template, file), path.join(dir, file), 0o644);
  }
  copy(path.join(template, "bin/convex-authkit"), path.join(dir, "bin/convex-authkit"), 0o755);
  writeJSON(path.join(dir, "package.json"), {
    name: "convex-authkit",
    version,
    description: "Configure and diagnose WorkOS AuthKit for Convex apps",
    repository: REPOSITORY,
    bin: { "convex-authkit": "bin/convex-authkit" },
    scripts: { postinstall: "node install.js" },
    engines: { node: ">=18" },
    optionalDependencies: Object.fromEntries(platformNames.sort().map((n) => [n, version])),
  });
}

// targets checks every binary before anything is written: each maps to an
// npm platform, once.
function targets(binaries) {
  const seen = new Set();
  return binaries.map((bin) => {
    const os = NODE_OS[bin.goos];
    const cpu = NODE_CPU[bin.goarch];
    const key = `${bin.goos}/${bin.goarch}`;
    if (!os || !cpu) throw new UsageError(`no npm platform for ${key}`);
    if (seen.has(key)) throw new UsageError(`two binaries for ${key}`);
    seen.add(key);
    return { os, cpu, path: bin.path };
  });
}

// build writes the packages into a staging directory beside --out and
// renames it into place, so --out holds every package or none.
function build(opts) {
  if (fs.existsSync(opts.out) && fs.readdirSync(opts.out).length > 0) {
    throw new UsageError(`--out ${opts.out} is not empty; give a new or empty directory`);
  }
  const platforms = targets(opts.binaries);
  const parent = path.dirname(path.resolve(opts.out));
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, ".npm-build-"));
  try {
    const names = platforms.map((p) => platformPackage(staging, opts.version, p));
    mainPackage(staging, opts.version, names);
    fs.rmSync(opts.out, { recursive: true, force: true });
    fs.renameSync(staging, opts.out);
    return names;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

try {
  const opts = parseArgs(process.argv.slice(2));
  const names = build(opts);
  console.log(`npm packages ${opts.version} in ${opts.out}: convex-authkit, ${names.join(", ")}`);
} catch (err) {
  if (!(err instanceof UsageError) && !err.code) throw err;
  console.error(`build.mjs: ${err.message}`);
  process.exit(err instanceof UsageError ? 3 : 1);
}
