/**
 * The runtime's named locks in one worker, and which of their uses are told to the runner as lock
 * events (for the deadlock watch, the lock-order warning and the timeline's lock waits).
 *
 * A lock's first HOT_USES uses in the worker are told in full (TOLD_USES in all). Telling every use had cost ~30 µs a
 * use (two stacks read, three events): a loop taking two locks 400 000 times took 50 s, now ~3.
 * After that the lock is hot, and told only where it matters, as the Python
 * harness tells the user's own locks (ownlocks.py):
 *   - a wait that lasts LONG_WAIT_MS, with the locks the task holds (told as acquired when and
 *     where they were), since a deadlock is made of tasks that wait while holding;
 *   - the first time it is taken while holding another (a new order, for the lock-order warning);
 *   - the release of whatever was told.
 */
import type { LockKind, SourceLocation } from '../../core/model';
import type { SharedMemory } from './sharedMemory';
import { callerSite, firstUserFrame, frameBelow } from './sourceSites';
import type { LockMessage, LockTallyMessage, RuntimeMessage } from './runtimeContract';

export const HOT_USES = 1000;
/**
 * Uses told in full in one worker, all locks together: a lock per account, 256 of them each taken
 * a thousand times, would otherwise tell three quarters of a million events.
 */
export const TOLD_USES = 10_000;
/** A hot lock's wait is told once it lasts this long: a deadlock's does, contention's mostly not. */
export const LONG_WAIT_MS = 50;
/** How often hot locks in use tell the runner that the run goes on (the hang watch's progress). */
const BUSY_EVERY_MS = 250;

/** What the worker knows of one lock name. */
interface LockState {
  name: string;
  uses: number;
  /** Taken while the worker held another, or held while it took another. */
  nested: boolean;
  /** Locks taken while holding this one, told as such (an order "this, then that"). */
  inners: Set<string>;
  /** Its uses told as no event (hot ones), and how long they waited in all (ms). */
  hotUses: number;
  hotWaitMs: number;
}

/** A lock the worker holds: where and when it took it, and whether that was told. */
interface Held {
  lock: LockState;
  atMs: number;
  site?: SourceLocation;
  /** The frame of the acquire, read only if it is told (taking it costs ~3.5 µs, reading it more). */
  trace?: { stack?: string };
  told: boolean;
}

export class LockEvents {
  private readonly locks = new Map<string, LockState>();
  private readonly held: Held[] = [];
  private busyToldMs = 0;
  private toldUses = 0;
  /** Whether hot uses changed the tallies since they were last posted. */
  private tallied = false;

  constructor(
    private readonly memory: SharedMemory,
    private readonly owner: number,
    private readonly now: () => number,
    /** Which task the worker runs, as the events name it. */
    private readonly task: { index: number },
    private readonly post: (message: RuntimeMessage) => void,
  ) {}

  /** `entry`: the runtime's function the user called (runtimeContract.ts). */
  acquire(name: string, entry: Function): void {
    const { held } = this;
    for (const h of held) {
      if (h.lock.name === name) throw new Error(`lock "${name}" is already held by this task: runtime locks are not re-entrant`);
    }
    let lock = this.locks.get(name);
    if (!lock) this.locks.set(name, (lock = { name, uses: 0, nested: false, inners: new Set(), hotUses: 0, hotWaitMs: 0 }));
    if (++lock.uses <= HOT_USES && this.toldUses++ < TOLD_USES) this.acquireTold(lock, entry);
    else this.acquireHot(lock, entry);
  }

  /**
   * At a task's end: the hot locks' tallies, where its hot uses changed them (a message per such
   * task, which took a lock a thousand times and more); and the locks it still holds (a `return`
   * between acquire and release), released and told, so that the rest of the run goes on and the
   * user learns where. Costs two checks when neither happened.
   */
  taskEnded(): void {
    if (this.tallied) this.tellTallies();
    if (this.held.length > 0) this.releaseLeft();
  }

  private tellTallies(): void {
    this.tallied = false;
    const tallies: LockTallyMessage['tallies'] = [];
    for (const lock of this.locks.values()) if (lock.hotUses > 0) tallies.push([lock.name, lock.hotUses, lock.hotWaitMs]);
    this.post({ pp: 'lock-tally', owner: this.owner, tallies });
  }

  private releaseLeft(): void {
    const locks = this.held.map((h) => ({ lock: h.lock.name, site: h.site ?? (h.trace ? firstUserFrame(h.trace.stack) : undefined) }));
    for (let at = locks.length - 1; at >= 0; at--) this.release(locks[at].lock);
    this.post({ pp: 'left-held', task: this.task.index, locks });
  }

  /** A release is told with the site its lock was taken at, as the Python runtime tells it (the `with` line): reading a second stack had cost a told use a third more. */
  release(name: string): void {
    const { held } = this;
    let at = held.length - 1;
    while (at >= 0 && held[at].lock.name !== name) at--;
    if (at < 0) throw new Error(`lock "${name}" is released but was not held by this task`);
    const [h] = held.splice(at, 1);
    // Stamped before the release, so that no other worker's acquire can appear to come first.
    const atMs = this.now();
    this.memory.release(name, this.owner);
    if (h.told) this.event('release', name, h.site, atMs);
  }

  private event(kind: LockKind, lock: string, site: SourceLocation | undefined, atMs = this.now()): void {
    this.post({ pp: 'lock', owner: this.owner, task: this.task.index, lock, kind, atMs, site });
  }

  /** Tells the untold locks the task holds, as acquired when and where they were. */
  private reveal(): void {
    for (const h of this.held) {
      if (h.told) continue;
      h.told = true;
      h.site ??= h.trace ? firstUserFrame(h.trace.stack) : undefined;
      this.event('acquire', h.lock.name, h.site, Number.isNaN(h.atMs) ? undefined : h.atMs);
    }
  }

  /** Marks `lock` and the locks held as nested; true if taking `lock` now makes an order not told before. */
  private newOrder(lock: LockState): boolean {
    let found = false;
    for (const h of this.held) {
      h.lock.nested = lock.nested = true;
      if (!h.lock.inners.has(lock.name)) {
        h.lock.inners.add(lock.name);
        found = true;
      }
    }
    return found;
  }

  private acquireTold(lock: LockState, entry: Function): void {
    const site = callerSite(entry);
    this.reveal();
    this.event('request', lock.name, site);
    this.memory.acquire(lock.name, this.owner);
    const atMs = this.now();
    this.newOrder(lock);
    this.held.push({ lock, atMs, site, told: true });
    this.event('acquire', lock.name, site, atMs);
  }

  private acquireHot(lock: LockState, entry: Function): void {
    if (lock.uses % 1024 === 0) this.tellBusy();
    const { held, memory, owner } = this;
    const trace = this.placeOfHot(lock, entry);
    let site: SourceLocation | undefined;
    let told = false;
    let waitedMs = 0;
    if (!memory.tryAcquire(lock.name, owner)) {
      const askedMs = this.now();
      if (!memory.acquire(lock.name, owner, LONG_WAIT_MS)) {
        this.reveal();
        site = callerSite(entry);
        this.event('request', lock.name, site, askedMs);
        memory.acquire(lock.name, owner);
        told = true;
      } else waitedMs = this.now() - askedMs;
    }
    // Only a lock whose stack was taken is told later; another's time is read if it is told now.
    const atMs = trace || told || held.length > 0 ? this.now() : NaN;
    if (held.length > 0 && this.newOrder(lock) && !told) {
      this.reveal();
      site = callerSite(entry);
      this.event('request', lock.name, site, atMs);
      told = true;
    }
    if (told) this.event('acquire', lock.name, site, atMs);
    else {
      // A use told as events is counted from them; the others here.
      lock.hotUses++;
      lock.hotWaitMs += waitedMs;
      this.tallied = true;
    }
    held.push({ lock, atMs, site, trace, told });
  }

  /**
   * Where a hot lock is taken, for telling it later as held (as when its task waits for another):
   * the stack, read only if told. A stack costs ~3.5 µs here, where a hot use costs ~0.3 without,
   * so it is taken only for an outermost lock (none held) that nests: a deadlock of two locks is
   * told with the line each outer one was taken at. A lock told as held otherwise (the middle one
   * of three, or one that never nested before) has no line. (A line learned once per task instead
   * was wrong where the task takes the lock at another line later: a warm-up, then the deadlock.)
   */
  private placeOfHot(lock: LockState, entry: Function): { stack?: string } | undefined {
    return lock.nested && this.held.length === 0 ? frameBelow(entry) : undefined;
  }

  /** Hot locks tell no events: four times a second at most, the runner hears that the run goes on. */
  private tellBusy(): void {
    const now = this.now();
    if (now - this.busyToldMs < BUSY_EVERY_MS) return;
    this.busyToldMs = now;
    this.post({ pp: 'busy' });
  }
}
