/**
 * I/O-bound work: most of each call is waiting (a simulated request), so even one event loop
 * overlaps them — and every pool spends its start-up for little gain.
 */
export async function fetchPage(id: number): Promise<number> {
  const latencyMs = 20 + (id % 5) * 10;
  await new Promise((resolve) => setTimeout(resolve, latencyMs));
  return id * 2;
}
