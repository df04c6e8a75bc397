"""CPU-bound pure Python: count the primes below a limit (sieve of Eratosthenes).

Threads gain nothing here (the GIL runs one thread at a time); a process pool does. Try:

    npx parallel-profiler profile examples/primes.py count_primes \\
        --inputs "[200_000 + i * 10_000 for i in range(16)]"
"""


def count_primes(limit):
    """Number of primes below `limit`."""
    if limit < 3:
        return 0
    sieve = bytearray([1]) * limit
    sieve[0] = sieve[1] = 0
    i = 2
    while i * i < limit:
        if sieve[i]:
            for multiple in range(i * i, limit, i):
                sieve[multiple] = 0
        i += 1
    return sum(sieve)


if __name__ == "__main__":
    from concurrent.futures import ProcessPoolExecutor

    limits = [200_000 + i * 10_000 for i in range(16)]
    with ProcessPoolExecutor() as pool:
        print(list(pool.map(count_primes, limits)))
