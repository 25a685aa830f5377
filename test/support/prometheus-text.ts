import { spawn } from 'node:child_process';
import { expect } from 'vitest';

export interface MetricSample {
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  type: string;
  help: string;
  /** The family's own samples; a histogram's `_bucket`, `_sum` and `_count` lines are under their own names. */
  samples: Map<string, MetricSample[]>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The families of a Prometheus text exposition, by name, with their samples. */
export function parseExposition(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const familyOf = (name: string): MetricFamily => {
    let family = families.get(name);
    if (!family) families.set(name, (family = { type: 'untyped', help: '', samples: new Map() }));
    return family;
  };
  let current: MetricFamily | undefined;
  for (const line of text.split('\n')) {
    const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (comment) {
      current = familyOf(comment[2] as string);
      if (comment[1] === 'TYPE') current.type = comment[3] as string;
      else current.help = comment[3] as string;
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample || !current) continue;
    const [, name, labelText = '', value] = sample as unknown as [string, string, string | undefined, string];
    const labels = Object.fromEntries([...labelText.matchAll(LABEL)].map((match) => [match[1] as string, match[2] as string]));
    current.samples.set(name, [...(current.samples.get(name) ?? []), { labels, value: Number(value) }]);
  }
  return families;
}

/** What `promtool check metrics` says of an exposition: its exit code and every problem it names. */
export async function promtoolCheckMetrics(text: string): Promise<{ code: number | null; problems: string }> {
  const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let problems = '';
  child.stdout.on('data', (chunk: Buffer) => (problems += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (problems += chunk.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  child.stdin.end(text);
  return { code: await exited, problems };
}

/** The samples of a family named `sample` (the family's own name unless told) whose labels include `labels`. */
export function samplesOf(family: MetricFamily | undefined, labels: Record<string, string>, sample?: string): MetricSample[] {
  const all = family
    ? [...family.samples.entries()].filter(([name]) => sample === undefined || name === sample).flatMap(([, each]) => each)
    : [];
  return all.filter((each) => Object.entries(labels).every(([key, value]) => each.labels[key] === value));
}

/** The `_count` samples of the histogram `name` whose labels include `labels`: how many observations each series has. */
export function histogramCounts(families: Map<string, MetricFamily>, name: string, labels: Record<string, string>): MetricSample[] {
  return samplesOf(families.get(name), labels, `${name}_count`);
}

/** Scrapes `/metrics` of a process, failing on anything `promtool check metrics` finds, and answers its families. */
export async function scrapeCheckedMetrics(baseUrl: string): Promise<Map<string, MetricFamily>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  expect(await promtoolCheckMetrics(text)).toEqual({ code: 0, problems: '' });
  return parseExposition(text);
}
