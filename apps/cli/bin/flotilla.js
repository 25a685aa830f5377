#!/usr/bin/env node
// The package's bin is this file rather than dist/main.js: npm links a bin only when its file exists at install
// time, and on a fresh clone the install runs before the build.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('error: flotilla is not built yet: run npm run build (npm start builds it too)\n');
  process.exit(1);
}
await import(main.href);
