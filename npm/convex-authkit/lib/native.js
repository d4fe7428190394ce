"use strict";
// Finds the native convex-authkit binary for this machine. The binaries ship
// in one npm package per platform (@convex-authkit/<os>-<cpu>), each limited
// to its platform by its os/cpu fields and listed here as an optional
// dependency, so npm installs the one that fits and skips the others.
// Shared by the bin launcher and the install step.

const SCOPE = "@convex-authkit/";

class LaunchError extends Error {
  constructor(message, hint) {
    super(message);
    this.hint = hint;
  }
}

function executableName(platform) {
  return platform === "win32" ? "convex-authkit.exe" : "convex-authkit";
}

// supported lists the platforms this release was built for, as
// "<os>-<cpu>": the optional dependencies are the single source.
function supported() {
  const deps = require("../package.json").optionalDependencies || {};
  return Object.keys(deps)
    .filter((name) => name.startsWith(SCOPE))
    .map((name) => name.slice(SCOPE.length))
    .sort();
}

// binaryPath returns the absolute path of the native binary, or throws a
// LaunchError that says why there is none and what to do.
function binaryPath(platform = process.platform, arch = process.arch) {
  const target = platform + "-" + arch;
  const pkg = SCOPE + target;
  const builtFor = supported();
  if (!builtFor.includes(target)) {
    throw new LaunchError(
      `convex-authkit has no binary for this platform (${target}); it is built for ${builtFor.join(", ")}`,
      "build it from source with 'go install github.com/convex-authkit/convex-authkit@latest', " +
        "and run that binary instead of npx",
    );
  }
  try {
    return require.resolve(pkg + "/bin/" + executableName(platform));
  } catch (err) {
    if (err.code !== "MODULE_NOT_FOUND") throw err;
    throw new LaunchError(
      `the package ${pkg}, which holds the convex-authkit binary for ${target}, is not installed`,
      "it is an optional dependency of convex-authkit, left out by --omit=optional, --no-optional or " +
        "optional=false in .npmrc: reinstall without them (npm install). If node_modules or the lock file " +
        "came from another platform, delete node_modules and run npm install here",
    );
  }
}

// report prints a LaunchError as the CLI prints its own errors.
function report(err) {
  if (!(err instanceof LaunchError)) throw err;
  process.stderr.write(`error: ${err.message}\nhint: ${err.hint}\n`);
}

module.exports = { LaunchError, binaryPath, report };
