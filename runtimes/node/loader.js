// The prepared javascript interpreter, built into a V8 startup snapshot when the image is built.
// Debian's node is built without Node's own start-up snapshot and code cache, so a plain start costs
// ~110 ms of CPU here; started from this snapshot it costs ~60 ms, like an upstream node. The
// deserialized main is the prepared-interpreter protocol (docs/agent-protocol.md): one byte on fd 4
// to say it is ready, the program's argv from fd 3, then the program as the main module, as
// `node main.js` loads it. Only built-in modules are required here: nothing of any user is in it.
require('v8').startupSnapshot.setDeserializeMainFunction(() => {
  const fs = require('fs');
  const Module = require('module');
  fs.writeSync(4, 'r');
  fs.closeSync(4);
  const request = JSON.parse(fs.readFileSync(3, 'utf8'));
  fs.closeSync(3);
  process.argv = [process.execPath, ...request.argv.slice(1)];
  // child_process.fork passes execArgv on: a child must start as plain node, not from this snapshot.
  process.execArgv = [];
  Module._load(process.argv[1], null, true);
});
