/** Every command id the extension contributes (package.json `contributes.commands`). */
export const COMMANDS = {
  profileAtCursor: 'parallelProfiler.profileAtCursor',
  profileFunction: 'parallelProfiler.profileFunction',
  rerun: 'parallelProfiler.rerun',
  cancel: 'parallelProfiler.cancel',
  openPanel: 'parallelProfiler.openPanel',
  openReport: 'parallelProfiler.openReport',
  exportTrace: 'parallelProfiler.exportTrace',
  saveReport: 'parallelProfiler.saveReport',
  showOutput: 'parallelProfiler.showOutput',
} as const;

/** Context keys for `when` clauses. */
export const CONTEXT = {
  running: 'parallelProfiler.running',
  hasReport: 'parallelProfiler.hasReport',
  hasLastProfile: 'parallelProfiler.hasLastProfile',
} as const;
