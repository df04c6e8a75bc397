/**
 * Finds actual deadlocks while a run is live: a wait-for graph built from lock events (worker
 * waits for lock → lock held by worker). A cycle that is still there on the next check is a
 * deadlock; the first sighting is not trusted, since events from different workers can arrive
 * slightly out of order.
 */
import type { LockEvent, SourceLocation } from './model';

interface Holding {
  lane: number;
  task: number;
  site?: SourceLocation;
}

export interface DeadlockMember {
  lane: number;
  task: number;
  holds: string;
  heldAt?: SourceLocation;
  waitsFor: string;
  waitAt?: SourceLocation;
}

export class DeadlockDetector {
  private readonly holders = new Map<string, Holding>();
  private readonly waiting = new Map<number, Holding & { lock: string }>();
  private suspected = '';

  onLock(event: LockEvent): void {
    if (event.kind === 'request') {
      this.waiting.set(event.lane, { lane: event.lane, task: event.task, site: event.site, lock: event.lock });
    } else if (event.kind === 'acquire') {
      this.waiting.delete(event.lane);
      this.holders.set(event.lock, { lane: event.lane, task: event.task, site: event.site });
    } else if (this.holders.get(event.lock)?.lane === event.lane) {
      this.holders.delete(event.lock);
    }
  }

  /** A lane's task ended or its worker died: it neither holds nor waits any more. */
  forgetLane(lane: number): void {
    this.waiting.delete(lane);
    for (const [lock, holder] of this.holders) if (holder.lane === lane) this.holders.delete(lock);
  }

  /** Call periodically: returns a cycle when the same one was seen on the previous check too. */
  check(): DeadlockMember[] | undefined {
    const cycle = this.findCycle();
    const key = cycle ? cycle.map((m) => `${m.lane}:${m.waitsFor}`).sort().join('|') : '';
    const confirmed = key !== '' && key === this.suspected;
    this.suspected = key;
    if (confirmed && cycle) {
      for (const member of cycle) this.forgetLane(member.lane);
      this.suspected = '';
      return cycle;
    }
    return undefined;
  }

  /**
   * A cycle there now, trusted without a second sighting: for lock events read from the stacks of
   * a run that has stalled for the whole hang timeout (Python's hot locks, lockwaits.py).
   */
  stalledCycle(): DeadlockMember[] | undefined {
    const cycle = this.findCycle();
    for (const member of cycle ?? []) this.forgetLane(member.lane);
    this.suspected = '';
    return cycle;
  }

  private findCycle(): DeadlockMember[] | undefined {
    for (const start of this.waiting.keys()) {
      const path: number[] = [];
      let lane: number | undefined = start;
      while (lane !== undefined && !path.includes(lane)) {
        path.push(lane);
        const wait = this.waiting.get(lane);
        lane = wait ? this.holders.get(wait.lock)?.lane : undefined;
      }
      if (lane === undefined) continue;
      const members = path.slice(path.indexOf(lane));
      // Each member holds the lock the previous one waits for.
      return members.map((member, i) => {
        const wait = this.waiting.get(member)!;
        const holds = this.waiting.get(members[(i + members.length - 1) % members.length])!.lock;
        return {
          lane: member,
          task: wait.task,
          holds,
          heldAt: this.holders.get(holds)?.site,
          waitsFor: wait.lock,
          waitAt: wait.site,
        };
      });
    }
    return undefined;
  }
}
