/**
 * Every sentence the extension shows the user, made in one place so the wording stays consistent
 * (and tests can match it).
 */
export const Messages = {
  untrusted: () => 'Parallel Profiler runs your code, so it is disabled in an untrusted workspace. Trust the workspace to profile.',
  manageTrust: () => 'Manage Workspace Trust',
  noEditor: () => 'Open a JavaScript, TypeScript or Python file to profile one of its functions.',
  unsupportedFile: (file: string) =>
    `${file} is not a JavaScript, TypeScript or Python file: open one of those to profile a function.`,
  noFunctions: (file: string) => `No top-level function found in ${file}: define one at module level to profile it.`,
  noFunctionAtCursor: () => 'The cursor is not inside a top-level function: place it in one, or use "Profile Function…".',
  noLastProfile: () => 'Nothing to re-run yet: profile a function first.',
  noReport: () => 'No profile report yet: profile a function or open a saved report first.',
  notRunning: () => 'No profile is running.',
  alreadyRunning: (target: string) => `A profile of ${target} is still running. Cancel it and start the new one?`,
  cancelAndStart: () => 'Cancel and Start',
  badReport: (file: string, why: string) => `${file} is not a Parallel Profiler report (${why}): pick a .json report saved by the profiler.`,
  emptyInputs: () => 'Enter an inputs expression, e.g. [1, 2, 3].',
  inputsPrompt: (name: string, spread: boolean) =>
    spread
      ? `Inputs for ${name}: an expression giving one argument list per task, evaluated in the runner`
      : `Inputs for ${name}: an expression giving one argument per task, evaluated in the runner`,
  cancelled: (target: string) => `Profiling of ${target} was cancelled; showing the partial report.`,
  crashedController: (why: string) => `Parallel Profiler could not run the profile: ${why}`,
  savedTo: (file: string) => `Saved ${file}`,
  lensProfile: () => '$(pulse) Profile parallelism',
  lensUntrusted: () => '$(shield) Profile parallelism (workspace not trusted)',
  lensRunning: () => '$(loading~spin) Profiling…',
} as const;
