// node:child_process, loaded on first use (10 ms at start-up otherwise: commander and our own modules
// import it but only spawn in rare cases). See src/build/build-cli.mjs.
'use strict';
const { promisify } = require('node:util');
let real;
const cp = () => (real ??= require('node:child_process'));
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  exports[name] = function (...args) {
    return cp()[name].apply(this, args);
  };
}
// util.promisify(execFile) resolves with {stdout, stderr}, as the real one does
for (const name of ['exec', 'execFile']) {
  exports[name][promisify.custom] = (...args) => cp()[name][promisify.custom](...args);
}
Object.defineProperty(exports, 'ChildProcess', { enumerable: true, get: () => cp().ChildProcess });
