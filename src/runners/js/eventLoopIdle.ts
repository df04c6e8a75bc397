/**
 * Whether a thread sleeps in its event loop's wait for I/O (Linux's epoll), read from the kernel's
 * account of where it sleeps (`wchan`). A hung task's worker that sleeps there runs no JavaScript:
 * its call awaits something that has not settled (a promise nothing resolves, a timer, I/O), where
 * one blocked in a system call (a synchronous exec, Atomics.wait) sleeps elsewhere. Undefined
 * where Linux does not tell.
 */
import { readFileSync } from 'node:fs';

export function sleepsInEventLoop(pid: number, tid = pid): boolean | undefined {
  try {
    return /epoll/.test(readFileSync(`/proc/${pid}/task/${tid}/wchan`, 'latin1'));
  } catch {
    return undefined;
  }
}
