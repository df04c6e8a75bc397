"""Shared state done wrong and right: a racy deposit counter and two locks taken in opposite
orders. Try (processes lose updates, and the transfers deadlock):

    npx parallel-profiler profile examples/bank.py deposit_racy --inputs "[10_000] * 8"
    npx parallel-profiler profile examples/bank.py deposit_safe --inputs "[10_000] * 8"
    npx parallel-profiler profile examples/bank.py deposit_value --inputs "[10_000] * 8"
    npx parallel-profiler profile examples/bank.py transfer --inputs "[('alice', 'bob'), ('bob', 'alice')]" --spread
    npx parallel-profiler profile examples/bank.py transfer_plain --inputs "[('alice', 'bob'), ('bob', 'alice')]" --spread
"""
import threading
import time
from multiprocessing import Value

from parallel_profiler import counter, lock

# The same lesson as you would write it without the profiler's runtime: a Value the forked workers
# share. The profiler measures how much each run changed it against the sequential run.
balance = Value("i", 0)
# Locks of your own, one per account: the profiler watches them as it does its own.
account_locks = {"alice": threading.Lock(), "bob": threading.Lock()}


def deposit_racy(times):
    """Adds 1 `times` times with a plain read-modify-write: concurrent workers lose updates."""
    for _ in range(times):
        counter.unsafe_add(1)
    return times


def deposit_safe(times):
    """The same with the atomic add: nothing is lost."""
    for _ in range(times):
        counter.add(1)
    return times


def deposit_value(times):
    """`balance.value += 1` reads and writes under two separate locks: workers lose updates. The
    fix: `with balance.get_lock(): balance.value += 1`."""
    for _ in range(times):
        balance.value += 1
    return times


def transfer(source, target):
    """Locks both accounts, in argument order: two opposite transfers deadlock."""
    with lock(source):
        time.sleep(0.2)
        with lock(target):
            return "%s -> %s" % (source, target)


def transfer_plain(source, target):
    """The same with threading locks of your own: deadlocks in threads, where the locks are shared."""
    with account_locks[source]:
        time.sleep(0.2)
        with account_locks[target]:
            return "%s -> %s" % (source, target)
