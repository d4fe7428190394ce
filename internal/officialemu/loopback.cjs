// Preloaded (node --require) into the official WorkOS emulator by
// officialemu.Start. It changes nothing in the API the emulator serves; it
// keeps the emulator on this machine, which the WorkOS CLI has no option for.
'use strict';

const net = require('node:net');

// 1. `workos emulate` has no host option: @hono/node-server calls
// server.listen(port, undefined, callback), which node binds to every
// interface. Tests must serve on loopback only, so a missing host becomes
// 127.0.0.1. An explicit host or a Unix socket path is left alone.
const loopback = '127.0.0.1';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  const isPort = typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first));
  if (isPort) {
    if (args[1] === undefined || args[1] === null) {
      args[1] = loopback;
    } else if (typeof args[1] !== 'string') {
      args.splice(1, 0, loopback);
    }
  } else if (first && typeof first === 'object' && first.path === undefined && first.host === undefined) {
    args[0] = { ...first, host: loopback };
  }
  return listen.apply(this, args);
};

// 2. The emulator POSTs every event (user.created, session.created, ...) to
// each enabled webhook endpoint registered with it, with fetch. Tests
// register real-looking URLs such as https://<deployment>.convex.site/...,
// and tests must not send traffic off the machine, so only loopback
// deliveries go out. The others fail before any DNS lookup, as an unreachable
// host would (the emulator ignores delivery errors), and are reported on
// stderr so a test can see them.
const realFetch = globalThis.fetch;
globalThis.fetch = function (input, init) {
  let url;
  try {
    url = new URL(input instanceof URL ? input.href : typeof input === 'string' ? input : input.url);
  } catch {
    return realFetch(input, init); // let fetch report the bad URL itself
  }
  const h = url.hostname;
  if (h === 'localhost' || h === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(h)) {
    return realFetch(input, init);
  }
  process.stderr.write(`officialemu: blocked fetch to ${url.origin} (only loopback is allowed)\n`);
  return Promise.reject(new TypeError(`officialemu: fetch to ${url.origin} blocked`));
};

// 3. The Go test holds the write end of our stdin. When the test process
// dies in a way that skips its cleanup (go test's timeout, SIGKILL), the
// kernel closes that pipe, and the emulator must not outlive it.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
