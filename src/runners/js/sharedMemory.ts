/**
 * The memory every worker of one run shares: the counter, each worker's private tally of its own
 * counter calls, and the named locks. Threads share a SharedArrayBuffer used with Atomics;
 * processes share a file in a memory-backed folder (/dev/shm where present), read and written
 * with pread/pwrite, and take locks by creating lock files exclusively (symlinks to the holder's pid).
 */
import { closeSync, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { epochMs } from './clock';

/** Lanes beyond this share the last tally slot (still counted, just not per worker). */
export const TALLY_SLOTS = 256;
const LOCK_SLOTS = 256;

export interface SharedMemory {
  add(n: number): void;
  unsafeAdd(n: number): void;
  read(): number;
  /** This worker's running total of counter calls; written only by that worker. */
  addTally(slot: number, n: number): void;
  totalTally(): number;
  /** Takes the named lock if it is free, without waiting. */
  tryAcquire(name: string, owner: number): boolean;
  /** Waits until the named lock is free, then takes it; false if `forMs` passed first. */
  acquire(name: string, owner: number, forMs?: number): boolean;
  release(name: string, owner: number): void;
  /** Frees the locks a dead worker held, so the others can go on. */
  releaseAllOf(owner: number): void;
}

/** Blocks this thread for `ms` without spinning the CPU. */
export function sleepSync(ms: number): void {
  Atomics.wait(SLEEPER, 0, 0, ms);
}
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 1; // never 0: 0 marks a free slot
}

const INTS = 2 + 2 * LOCK_SLOTS + TALLY_SLOTS;
const TALLIES_AT = 8 * Math.ceil((4 * INTS) / 8);

/**
 * Layout: Int32 [0] counter, [1] next free worker slot, LOCK_SLOTS × (name hash, owner + 1),
 * TALLY_SLOTS × the task each worker slot is running (-1 when idle); then Float64 per worker slot:
 * its tally, and when its current task started.
 */
export function createThreadBuffer(): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(TALLIES_AT + 16 * TALLY_SLOTS);
  new Int32Array(buffer, 4 * (2 + 2 * LOCK_SLOTS), TALLY_SLOTS).fill(-1);
  return buffer;
}

export class ThreadSharedMemory implements SharedMemory {
  private readonly ints: Int32Array;
  private readonly tallies: Float64Array;
  /** Per worker slot: the input index it is running, or -1. Read by the runner's watchdog. */
  readonly runningTask: Int32Array;
  /** Per worker slot: when its current task started (ms since origin). */
  readonly runningSince: Float64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.ints = new Int32Array(buffer, 0, 2 + 2 * LOCK_SLOTS);
    this.runningTask = new Int32Array(buffer, 4 * (2 + 2 * LOCK_SLOTS), TALLY_SLOTS);
    this.tallies = new Float64Array(buffer, TALLIES_AT, TALLY_SLOTS);
    this.runningSince = new Float64Array(buffer, TALLIES_AT + 8 * TALLY_SLOTS, TALLY_SLOTS);
  }
  /** A slot of its own for each worker thread that joins the run. */
  claimSlot(): number {
    return Math.min(Atomics.add(this.ints, 1, 1), TALLY_SLOTS - 1);
  }
  add(n: number): void {
    Atomics.add(this.ints, 0, n);
  }
  unsafeAdd(n: number): void {
    // A plain read-modify-write on purpose: two workers can read the same value and lose one update.
    const value = this.ints[0];
    this.ints[0] = value + n;
  }
  read(): number {
    return Atomics.load(this.ints, 0);
  }
  addTally(slot: number, n: number): void {
    this.tallies[Math.min(slot, TALLY_SLOTS - 1)] += n;
  }
  totalTally(): number {
    return this.tallies.reduce((a, b) => a + b, 0);
  }
  private slotOf(name: string): number {
    const hash = hashName(name);
    for (let probe = 0; probe < LOCK_SLOTS; probe++) {
      const slot = (hash >>> 0) % LOCK_SLOTS + probe;
      const index = 2 + 2 * (slot % LOCK_SLOTS);
      const seen = Atomics.compareExchange(this.ints, index, 0, hash);
      if (seen === 0 || seen === hash) return index + 1;
    }
    throw new Error(`more than ${LOCK_SLOTS} distinct lock names in one run`);
  }
  tryAcquire(name: string, owner: number): boolean {
    return Atomics.compareExchange(this.ints, this.slotOf(name), 0, owner + 1) === 0;
  }
  acquire(name: string, owner: number, forMs = Infinity): boolean {
    const state = this.slotOf(name);
    const until = epochMs() + forMs;
    for (;;) {
      const current = Atomics.compareExchange(this.ints, state, 0, owner + 1);
      if (current === 0) return true;
      const left = until - epochMs();
      if (left <= 0) return false;
      Atomics.wait(this.ints, state, current, Math.min(50, left));
    }
  }
  release(name: string, owner: number): void {
    const state = this.slotOf(name);
    Atomics.compareExchange(this.ints, state, owner + 1, 0);
    Atomics.notify(this.ints, state);
  }
  releaseAllOf(owner: number): void {
    for (let slot = 0; slot < LOCK_SLOTS; slot++) {
      const state = 3 + 2 * slot;
      if (Atomics.compareExchange(this.ints, state, owner + 1, 0) === owner + 1) Atomics.notify(this.ints, state);
    }
  }
}

/** Where process workers share memory: a tmpfs folder where the OS has one. */
export function memoryBackedDir(fallback: string): string {
  return existsSync('/dev/shm') ? '/dev/shm' : fallback;
}

/**
 * Files: `<region>` holds the Int32 counter cell at [0..4) and Float64 tallies from byte 8;
 * `<region>.adds` is an append-only log of atomic adds (O_APPEND writes never interleave);
 * locks are `<region>.locks/<hash>.lock`, symlinks to (on Windows, files holding) their owner's pid.
 */
export function createProcessRegion(dir: string): string {
  const file = join(dir, `pp-${process.pid}-${Date.now().toString(36)}.mem`);
  writeFileSync(file, Buffer.alloc(8 + 8 * TALLY_SLOTS));
  writeFileSync(`${file}.adds`, '');
  mkdirSync(`${file}.locks`);
  return file;
}

export function removeProcessRegion(file: string): void {
  rmSync(file, { force: true });
  rmSync(`${file}.adds`, { force: true });
  rmSync(`${file}.locks`, { recursive: true, force: true });
}

export class ProcessSharedMemory implements SharedMemory {
  private readonly fd: number;
  private readonly addsFd: number;
  private readonly buf4 = Buffer.alloc(4);
  private readonly buf8 = Buffer.alloc(8);
  private readonly lockDir: string;
  /** This process's tally since its last flush; kept in memory so a call costs no system call. */
  private pendingTally = 0;
  /** The adds log as far as this process has summed it: a read sums only what came since. */
  private addsReadFd: number | undefined;
  private addsReadBytes = 0;
  private addsSum = 0;

  constructor(private readonly file: string) {
    this.fd = openSync(file, 'r+');
    this.addsFd = openSync(`${file}.adds`, 'a');
    this.lockDir = `${file}.locks`;
  }
  add(n: number): void {
    // One append: atomic across processes without a lock.
    this.buf8.writeDoubleLE(n, 0);
    writeSync(this.addsFd, this.buf8, 0, 8);
  }
  unsafeAdd(n: number): void {
    // Read, then write back: without a lock, another process can write in between.
    readSync(this.fd, this.buf4, 0, 4, 0);
    this.buf4.writeInt32LE(this.buf4.readInt32LE(0) + n, 0);
    writeSync(this.fd, this.buf4, 0, 4, 0);
  }
  read(): number {
    readSync(this.fd, this.buf4, 0, 4, 0);
    // Reading the whole log each time made a loop that reads the counter after each add quadratic
    // (20 000 adds and reads: 2.2 s).
    const fd = (this.addsReadFd ??= openSync(`${this.file}.adds`, 'r'));
    const size = fstatSync(fd).size;
    // Whole adds only: one being appended now is summed by the next read.
    const fresh = Math.floor((size - this.addsReadBytes) / 8) * 8;
    if (fresh > 0) {
      const adds = Buffer.alloc(fresh);
      readSync(fd, adds, 0, fresh, this.addsReadBytes);
      for (let at = 0; at < fresh; at += 8) this.addsSum += adds.readDoubleLE(at);
      this.addsReadBytes += fresh;
    }
    return this.buf4.readInt32LE(0) + this.addsSum;
  }
  addTally(_slot: number, n: number): void {
    this.pendingTally += n;
  }
  /** Writes this process's tally into its slot; the worker calls it after every task. */
  flushTally(slot: number): void {
    if (this.pendingTally === 0) return;
    const at = 8 + 8 * Math.min(slot, TALLY_SLOTS - 1);
    readSync(this.fd, this.buf8, 0, 8, at);
    this.buf8.writeDoubleLE(this.buf8.readDoubleLE(0) + this.pendingTally, 0);
    writeSync(this.fd, this.buf8, 0, 8, at);
    this.pendingTally = 0;
  }
  totalTally(): number {
    const all = Buffer.alloc(8 * TALLY_SLOTS);
    readSync(this.fd, all, 0, all.length, 8);
    let total = 0;
    for (let i = 0; i < TALLY_SLOTS; i++) total += all.readDoubleLE(8 * i);
    return total;
  }
  private readonly lockFiles = new Map<string, string>();
  private lockFile(name: string): string {
    let file = this.lockFiles.get(name);
    if (file === undefined) this.lockFiles.set(name, (file = join(this.lockDir, `${(hashName(name) >>> 0).toString(16)}.lock`)));
    return file;
  }
  /** `owner` is the holder's pid. */
  tryAcquire(name: string, owner: number): boolean {
    return this.tryLockFile(this.lockFile(name), String(owner));
  }
  /**
   * Creates the lock file, naming the holder, unless it is there. A symlink to the pid is one system
   * call: creating, writing and closing a file was three (a use of an uncontended lock took 29 µs,
   * now 9). Windows, where a symlink needs privileges, gets the file.
   */
  private tryLockFile(file: string, pid: string): boolean {
    try {
      if (SYMLINK_LOCKS) symlinkSync(pid, file);
      else {
        const fd = openSync(file, 'wx');
        writeSync(fd, pid);
        closeSync(fd);
      }
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return false;
    }
  }
  /** `owner` is the holder's pid: a lock whose holder died is taken over. */
  acquire(name: string, owner: number, forMs = Infinity): boolean {
    const file = this.lockFile(name);
    const pid = String(owner);
    const until = epochMs() + forMs;
    let looks = 0;
    let backoff = 0.01;
    let waited = 0;
    for (;;) {
      if (this.tryLockFile(file, pid)) return true;
      // Held: look until it is gone. A look costs ~1 µs, a failed attempt ~10 (Node makes an
      // error object for it). Holders keep locks for microseconds: look at once for a while
      // before sleeping.
      while (lstatSync(file, { throwIfNoEntry: false })) {
        if (++looks < 200) continue;
        if (epochMs() >= until) return false;
        sleepSync(backoff);
        waited += backoff;
        backoff = Math.min(backoff * 2, 1);
        if (waited > 200) {
          waited = 0;
          this.breakIfStale(file);
        }
      }
    }
  }
  /** Only the holder calls this (the runtime host tracks what each task holds). */
  release(name: string): void {
    unlinkQuietly(this.lockFile(name));
  }
  /** Closes the files; the runner's copy, once its run is over (a worker's close as it exits). */
  close(): void {
    for (const fd of [this.fd, this.addsFd, this.addsReadFd]) if (fd !== undefined) closeSync(fd);
  }
  releaseAllOf(owner: number): void {
    for (const entry of readdirSync(this.lockDir)) {
      const file = join(this.lockDir, entry);
      if (this.holderOf(file) === owner) unlinkQuietly(file);
    }
  }
  private holderOf(file: string): number | undefined {
    try {
      return Number(SYMLINK_LOCKS ? readlinkSync(file) : readFileSync(file, 'utf8')) || undefined;
    } catch {
      return undefined;
    }
  }
  private breakIfStale(file: string): void {
    const holder = this.holderOf(file);
    if (holder === undefined) return;
    try {
      process.kill(holder, 0);
    } catch {
      unlinkQuietly(file);
    }
  }
}

/** Process locks are symlinks to their holder's pid, but on Windows (where that needs privileges) files holding it. */
const SYMLINK_LOCKS = process.platform !== 'win32';

/** Removes a lock file that may be gone already (taken over from a dead holder, or released for it). */
function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // gone already
  }
}
