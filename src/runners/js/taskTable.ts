/**
 * Where the threads of a run write each task's timing, by input index, in a SharedArrayBuffer:
 * start, end, CPU time and the thread that ran it. A task's result message then carries no more
 * than a bare pool's would — for a plain value, the value itself — and the runner reads the rest
 * here when the result arrives.
 */
export class TaskTable {
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
  /** NaN where the runtime cannot measure one thread's CPU time. */
  readonly cpuMs: Float64Array;
  readonly threadId: Int32Array;

  static create(tasks: number): SharedArrayBuffer {
    return new SharedArrayBuffer(Math.max(1, tasks) * (3 * 8 + 4));
  }

  constructor(buffer: SharedArrayBuffer) {
    const tasks = buffer.byteLength / (3 * 8 + 4);
    this.startMs = new Float64Array(buffer, 0, tasks);
    this.endMs = new Float64Array(buffer, 8 * tasks, tasks);
    this.cpuMs = new Float64Array(buffer, 16 * tasks, tasks);
    this.threadId = new Int32Array(buffer, 24 * tasks, tasks);
  }
}
