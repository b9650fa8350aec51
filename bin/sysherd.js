#!/usr/bin/env node
// The shipped CLI is one CommonJS bundle (npm run build: dist/cli/bin.js); this shim loads it.
// `sysherd --version` alone is answered here, without loading the bundle.
'use strict';
if (process.argv.length === 3 && process.argv[2] === '--version') {
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  require('../dist/cli/bin.js');
}
