/** One test's outcome as the in-host run records it. */
export interface TestOutcome {
  /** Suite titles and test title joined by ' › '. */
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  /** Message and stack of a failure. */
  error?: string;
}

/**
 * The file `run()` writes when the in-host suites finish. code-server's extension host exit code is
 * not reliable, so the orchestrator reads this instead.
 */
export interface InHostResults {
  passed: number;
  failed: number;
  pending: number;
  tests: TestOutcome[];
  /** Set when the run could not start (no suites, a suite failed to load). */
  fatal?: string;
}

/** Env var naming the results file; `results.json` beside the bundled entry when unset. */
export const RESULTS_ENV = 'PP_TEST_RESULTS';
