"""The Parallel Profiler harness: runs one Python function sequentially, in a thread pool and in a
process pool, and streams the runner protocol's JSON-line events (see src/core/protocol.ts)."""
