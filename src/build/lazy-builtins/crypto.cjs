// node:crypto, loaded on first use (dbus-next needs it only for DBUS_COOKIE_SHA1 authentication).
'use strict';
let real;
const crypto = () => (real ??= require('node:crypto'));
for (const name of ['createHash', 'createHmac', 'randomBytes', 'randomUUID', 'randomInt', 'timingSafeEqual']) {
  exports[name] = (...args) => crypto()[name](...args);
}
