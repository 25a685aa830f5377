import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dashboard = join(root, 'apps/dashboard');
const builtIndex = join(dashboard, 'dist/index.html');

function newestChange(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

/**
 * Builds the dashboard with Vite when its build is missing or older than any of its sources, so that the API the
 * tests start serves the code under test (the API only looks for the build when it starts).
 */
export function ensureDashboardBuilt(): void {
  const sources = Math.max(
    newestChange(join(dashboard, 'src')),
    newestChange(join(dashboard, 'index.html')),
    newestChange(join(dashboard, 'vite.config.ts')),
  );
  if (existsSync(builtIndex) && statSync(builtIndex).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', dashboard, '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'pipe',
  });
}
