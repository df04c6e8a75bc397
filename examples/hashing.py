"""Hashing big buffers: hashlib releases the GIL while it hashes, so threads do scale here,
without the start-up and pickling costs of processes. Try:

    npx parallel-profiler profile examples/hashing.py digest_of --inputs "[8] * 12"
"""
import hashlib


def digest_of(megabytes):
    """sha256 of `megabytes` MB of deterministic data, hashed in 1 MB chunks."""
    block = bytes(range(256)) * 4096  # 1 MB
    h = hashlib.sha256()
    for _ in range(megabytes):
        h.update(block)
    return h.hexdigest()[:16]
