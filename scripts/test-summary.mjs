// Prints what the abuse and fault tests found, then the closing line CI reads, `N passed, N failed`, from vitest's
// JSON report.
import { existsSync, readFileSync } from 'node:fs';

const reportPath = process.argv[2] ?? 'test-results/vitest.json';
const abusePath = process.argv[3] ?? 'test-results/abuse-report.jsonl';

function printAbuseSummary() {
  if (!existsSync(abusePath)) return;
  const records = readFileSync(abusePath, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
  console.log(`\nabuse and faults (${abusePath}):`);
  for (const record of records) console.log(`  ${record.line}`);
  const fuzz = records.filter((record) => record.kind === 'fuzz');
  const total = (field) => fuzz.reduce((sum, record) => sum + record[field], 0);
  console.log(
    `  all fuzzers: ${total('inputs')} inputs tried, ${total('refusedCleanly')} refused cleanly, ${total('internalErrors')} internal errors, ${total('crashes')} crashes\n`,
  );
}

printAbuseSummary();
let report;
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
} catch (error) {
  console.log(`no test report at ${reportPath}: ${error.message}`);
  console.log('0 passed, 1 failed');
  process.exit(0);
}
const failed = report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
console.log(`${report.numPassedTests} passed, ${failed} failed, ${report.numPendingTests + report.numTodoTests} skipped`);
