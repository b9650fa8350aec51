#!/usr/bin/env node
// The shipped CLI is one esbuild bundle (npm run build); this shim only loads it.
import '../dist/cli/bin.js';
