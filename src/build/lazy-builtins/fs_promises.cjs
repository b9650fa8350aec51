// node:fs/promises, loaded on first use (dbus-next reads files only for cookie auth and launchd).
'use strict';
let real;
const fsp = () => (real ??= require('node:fs/promises'));
for (const name of ['access', 'readFile', 'stat', 'lstat', 'readdir', 'writeFile', 'mkdir', 'rm', 'unlink', 'rename', 'open', 'realpath', 'readlink']) {
  exports[name] = (...args) => fsp()[name](...args);
}
