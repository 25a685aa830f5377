// Prints the package.json the images install, derived from the repository's (the path given): its runtime
// dependencies, plus Prisma's CLI with `--migrations` (for the migration image only). The workspaces are left out:
// each image holds the compiled libraries its process needs (deploy/images/stage-app.mjs).
import { readFileSync } from 'node:fs';

const [source, option] = process.argv.slice(2);
if (!source || (option !== undefined && option !== '--migrations')) {
  process.stderr.write('usage: node production-package.mjs <repository package.json> [--migrations]\n');
  process.exit(2);
}
const workspace = JSON.parse(readFileSync(source, 'utf8'));
const dependencies = { ...workspace.dependencies };
if (option === '--migrations') dependencies.prisma = workspace.devDependencies.prisma;
const production = {
  name: `${workspace.name}-image`,
  version: workspace.version,
  private: true,
  type: workspace.type,
  engines: workspace.engines,
  dependencies,
};
process.stdout.write(`${JSON.stringify(production, null, 2)}\n`);
