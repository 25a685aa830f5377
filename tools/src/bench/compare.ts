import { spawnSync } from 'node:child_process';
import { integer, list, loadSettings, type SettingsReader } from '@flotilla/service-runtime';

/**
 * Compares a benchmark across two checkouts: runs it alternately in each (before, after, before, after, …) so that
 * drifting load hits both alike, then prints, for every figure the benchmark printed, the median of each side and
 * the change. A figure is a number on an output line; the line with its numbers blanked out names it.
 *
 * @example BENCH_COMPARE_BEFORE=/tmp/before BENCH_COMPARE_AFTER=. BENCH_COMPARE_NAMES=engine node tools/dist/bench/compare.js
 */
interface CompareSettings {
  before: string;
  after: string;
  names: string[];
  rounds: number;
  /** Changes within this share count as noise. */
  tolerance: number;
}

const readCompareSettings: SettingsReader<CompareSettings> = (environment, problems) => {
  const before = environment.BENCH_COMPARE_BEFORE ?? '';
  if (before === '') problems.push('BENCH_COMPARE_BEFORE must name the checkout to compare with');
  return {
    before,
    after: environment.BENCH_COMPARE_AFTER || '.',
    names: list(environment, 'BENCH_COMPARE_NAMES').length > 0 ? list(environment, 'BENCH_COMPARE_NAMES') : ['engine', 'api'],
    rounds: integer(environment, 'BENCH_COMPARE_ROUNDS', 3, problems),
    tolerance: integer(environment, 'BENCH_COMPARE_TOLERANCE_PERCENT', 10, problems) / 100,
  };
};

const NUMBER = /-?\d+(?:[.,]\d+)*(?:\.\d+)?/g;

/** Every figure of one run's output, by the line it is on (numbers blanked) and its place on that line. */
function figuresOf(output: string): Map<string, number> {
  const figures = new Map<string, number>();
  const seen = new Map<string, number>();
  for (const line of output.split('\n')) {
    const numbers = line.match(NUMBER);
    if (!numbers || line.includes('load average')) continue;
    // Rows of the same shape (one worker, two workers) are told apart by their order.
    const shape = line.replace(NUMBER, '#').trim();
    const occurrence = (seen.get(shape) ?? 0) + 1;
    seen.set(shape, occurrence);
    const label = occurrence === 1 ? shape : `${shape} (#${occurrence})`;
    numbers.forEach((text, index) => figures.set(`${label} [${index + 1}]`, Number(text.replace(/,/g, ''))));
  }
  return figures;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
};

function run(checkout: string, name: string, round: number, side: string): Map<string, number> {
  process.stderr.write(`[bench:compare] ${name} round ${round} ${side} (${checkout})\n`);
  const result = spawnSync('bash', ['scripts/bench.sh', name], { cwd: checkout, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.status !== 0) throw new Error(`bench:${name} failed in ${checkout} with status ${result.status}`);
  process.stderr.write(result.stdout);
  return figuresOf(result.stdout);
}

const settings = loadSettings(readCompareSettings);
const report: string[] = [];
for (const name of settings.names) {
  const before: Map<string, number>[] = [];
  const after: Map<string, number>[] = [];
  for (let round = 1; round <= settings.rounds; round += 1) {
    before.push(run(settings.before, name, round, 'before'));
    after.push(run(settings.after, name, round, 'after'));
  }
  report.push('', `bench:${name}: median of ${settings.rounds} alternated runs, before → after (change)`);
  for (const label of after[0]?.keys() ?? []) {
    const beforeValues = before.map((figures) => figures.get(label)).filter((value) => value !== undefined);
    const afterValues = after.map((figures) => figures.get(label)).filter((value) => value !== undefined);
    if (beforeValues.length === 0) continue;
    const [was, is] = [median(beforeValues), median(afterValues)];
    const change = was === 0 ? 0 : (is - was) / Math.abs(was);
    const verdict = Math.abs(change) <= settings.tolerance ? 'within noise' : 'OUTSIDE noise';
    report.push(`  ${label}: ${was} → ${is} (${(change * 100).toFixed(1)} %, ${verdict})`);
  }
}
process.stdout.write(`${report.join('\n')}\n`);
