import type { SerializedError } from 'vitest';
import type { Reporter, TestCase, TestModule, TestSuite } from 'vitest/node';

/**
 * Ends the run with one plain line for CI to read: "Tests: N passed, N failed, N skipped", plus the
 * files that failed outside any test and the unhandled errors when there are some. A test that did
 * not run because a hook of its suite or file threw (`beforeAll`) counts as failed, not skipped;
 * so does a file that failed to load.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError> = [],
  ): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    let brokenFiles = 0;
    for (const testModule of testModules) {
      let tests = 0;
      for (const test of testModule.children.allTests()) {
        tests++;
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed' || hookFailed(test)) counts.failed++;
        else counts.skipped++;
      }
      if (tests === 0 && testModule.state() === 'failed') brokenFiles++;
    }
    const extra = [
      brokenFiles > 0 ? `${brokenFiles} files failed to load` : '',
      unhandledErrors.length > 0 ? `${unhandledErrors.length} unhandled errors` : '',
    ].filter(Boolean);
    process.stdout.write(
      `\nTests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped${extra.length > 0 ? `; ${extra.join(', ')}` : ''}\n`,
    );
  }
}

/**
 * Whether a test that was meant to run did not because a hook of a suite or of the file around it
 * threw (that suite then carries the hook's error).
 */
function hookFailed(test: TestCase): boolean {
  if (test.options.mode !== 'run') return false;
  for (let parent: TestSuite | TestModule = test.parent; ; parent = parent.parent) {
    if (parent.errors().length > 0) return true;
    if (parent.type === 'module') return false;
  }
}
