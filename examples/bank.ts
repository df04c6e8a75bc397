import { counter, lock, withLock } from 'parallel-profiler/runtime';

/**
 * Deposits `cents` one by one into a shared balance without a lock: the classic lost update.
 * Profile with `--inputs "Array(8).fill(2_000_000)" --strategies sequential,threads` and read the
 * race warning (calls this long overlap although the second thread starts tens of ms after the
 * first). Worker processes share the balance through a file, each update about a thousand times
 * slower: `--inputs "Array(8).fill(100_000)"` shows the race there.
 */
export function depositUnsafely(cents: number): number {
  for (let i = 0; i < cents; i++) counter.unsafeAdd(1);
  return cents;
}

/**
 * The fix: the read-modify-write under a lock (or simply `counter.add`). Profile it with
 * `--inputs "Array(8).fill(50_000)"` to see what a lock taken once per cent costs: the contention
 * warning says how long the calls wait for it, and that taking it once per call (adding up locally
 * first) is the way out.
 */
export function depositSafely(cents: number): number {
  for (let i = 0; i < cents; i++) withLock('balance', () => counter.unsafeAdd(1));
  return cents;
}

/**
 * Keeps the balance in a module variable instead: every worker thread and process loads its own
 * copy of the module, so the deposits are spread over copies that no caller sees. Profile with
 * `--inputs "Array(8).fill(2_000_000)"` and read the divergence warning.
 */
let balance = 0;
export function depositIntoModule(cents: number): void {
  for (let i = 0; i < cents; i++) balance += 1;
}

/**
 * Transfers between two accounts, taking their locks in argument order: two opposite transfers at
 * once deadlock. Profile with `--inputs "[['alice', 'bob'], ['bob', 'alice']]" --spread`.
 */
export function transfer(from: string, to: string): string {
  const first = lock(from);
  first.acquire();
  try {
    const until = Date.now() + 50;
    while (Date.now() < until) {
      // auditing the withdrawal
    }
    const second = lock(to);
    second.acquire();
    second.release();
  } finally {
    first.release();
  }
  return `${from}→${to}`;
}
