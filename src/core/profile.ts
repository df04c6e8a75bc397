/**
 * The controller: starts a runner process for one target, folds its events into a report, and
 * guards it (cancel, deadlock, hang). Used by the CLI, the extension and the tests alike.
 * User code never runs in the calling process.
 */
import type { Report, StrategyName, Target } from './model';
import type { RunnerEvent } from './protocol';

export interface ProfileRequest {
  target: Target;
  /** Inputs expression in the target's language. */
  inputs: string;
  spread?: boolean;
  strategies?: StrategyName[];
  /** Workers per parallel strategy; default: the machine's available parallelism. */
  workers?: number;
  repeat?: number;
  taskTimeoutMs?: number;
  /** No task finishes and no lock event arrives for this long → hang. Default 10 000. */
  hangTimeoutMs?: number;
  /** Node executable for JS targets (default: this process's, as plain Node). */
  node?: string;
  /** Python interpreter for Python targets (default: python3). */
  python?: string;
  startMethod?: 'fork' | 'spawn' | 'forkserver';
}

export interface ProfileCallbacks {
  /** Every runner event as it arrives (for live progress). */
  onEvent?: (event: RunnerEvent) => void;
  /** The runner's and user code's stdout/stderr. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
}

export type ProfileOutcome =
  | { ok: true; report: Report }
  /** Bad input or unusable environment: `error` is one line naming the cause and the fix. */
  | { ok: false; error: string };

export interface ProfileHandle {
  /** Stop every worker; `done` then resolves with a partial report (cancelled tasks). */
  cancel(): void;
  readonly done: Promise<ProfileOutcome>;
}

export function startProfile(request: ProfileRequest, callbacks: ProfileCallbacks = {}): ProfileHandle {
  throw new Error('not implemented yet');
}
