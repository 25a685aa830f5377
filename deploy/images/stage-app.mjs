// Lays out what one process's image runs, under the directory given, as the image's /app: the app's package.json
// and compiled code in apps/<app>/, and every workspace library its compiled code imports (and theirs, in turn) as
// an installed package in node_modules/@flotilla/<library>/. Sources, declarations, build info and tests stay
// behind. Run from the repository root after `tsc -b`.
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [app, destination] = process.argv.slice(2);
if (!app || !destination || !existsSync(join('apps', app, 'dist'))) {
  process.stderr.write('usage: node deploy/images/stage-app.mjs <built app under apps/> <destination>\n');
  process.exit(2);
}

const LIBRARY_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](@flotilla\/[\w-]+)/g;
const runtimeFile = (path) => !/\.(d\.ts|d\.ts\.map|tsbuildinfo)$|\.(test|test-support)\.js(\.map)?$/.test(path);

/** Package name → directory, for every workspace library. */
const libraries = new Map(
  readdirSync('libs').map((directory) => [
    JSON.parse(readFileSync(join('libs', directory, 'package.json'), 'utf8')).name,
    join('libs', directory),
  ]),
);

function importedLibraries(dist) {
  const names = new Set();
  for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js') || !runtimeFile(entry.name)) continue;
    for (const match of readFileSync(join(entry.parentPath, entry.name), 'utf8').matchAll(LIBRARY_IMPORT)) names.add(match[1]);
  }
  return names;
}

function stageProject(project, target) {
  cpSync(join(project, 'package.json'), join(target, 'package.json'));
  cpSync(join(project, 'dist'), join(target, 'dist'), { recursive: true, filter: runtimeFile });
  return importedLibraries(join(project, 'dist'));
}

const pending = [...stageProject(join('apps', app), join(destination, 'apps', app))];
const staged = new Set();
while (pending.length > 0) {
  const name = pending.pop();
  if (staged.has(name)) continue;
  staged.add(name);
  const directory = libraries.get(name);
  if (!directory) throw new Error(`${name} is imported but is no library under libs/`);
  pending.push(...stageProject(directory, join(destination, 'node_modules', name)));
}
