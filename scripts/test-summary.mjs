// Prints what the abuse and fault tests found, then the closing line CI reads, `N passed, N failed`, from vitest's
// JSON reports: the one named (default test-results/vitest.json) and every other `vitest-*.json` beside it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const reportPath = process.argv[2] ?? 'test-results/vitest.json';
const abusePath = join(dirname(reportPath), 'abuse-report.jsonl');

function printAbuseSummary() {
  if (!existsSync(abusePath)) return;
  const records = readFileSync(abusePath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  console.log(`\nabuse and faults (${abusePath}):`);
  for (const record of records) console.log(`  ${record.line}`);
  const fuzz = records.filter((record) => record.kind === 'fuzz');
  const total = (field) => fuzz.reduce((sum, record) => sum + record[field], 0);
  console.log(
    `  all fuzzers: ${total('inputs')} inputs tried, ${total('refusedCleanly')} refused cleanly, ${total('internalErrors')} internal errors, ${total('crashes')} crashes\n`,
  );
}

function siblingReports() {
  const directory = dirname(reportPath);
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => /^vitest-.+\.json$/.test(name) && name !== basename(reportPath))
    .map((name) => join(directory, name));
}

printAbuseSummary();
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const path of [reportPath, ...siblingReports()]) {
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    console.log(`no test report at ${path}: ${error.message}`);
    totals.failed += 1;
    continue;
  }
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
  totals.skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
