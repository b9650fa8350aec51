// node:assert, loaded only when an assertion fails (dbus-next asserts while marshalling).
'use strict';
module.exports = function assert(value, ...rest) {
  if (!value) return require('node:assert')(value, ...rest);
};
