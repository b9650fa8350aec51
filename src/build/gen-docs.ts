/**
 * Generate the shell completions and the man page from the program's command tree:
 *
 *   node --import tsx src/build/gen-docs.ts
 *
 * Run by `npm run build` (build:docs), so they never lag the program. The outputs are build
 * products (git-ignored, shipped in the npm package): completions/sysherd.bash,
 * completions/_sysherd, completions/sysherd.fish, man/sysherd.1.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAll } from './docs/generate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const files = generateAll();
for (const [rel, text] of Object.entries(files)) {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) continue;
  fs.writeFileSync(file, text);
}
