import { createHash } from 'node:crypto';

/** Hashes a block of data `rounds` times: CPU-bound work in native code, parallel in threads too. */
export function stretchKey(seed: string, rounds = 20_000): string {
  let digest = seed;
  for (let i = 0; i < rounds; i++) digest = createHash('sha256').update(digest).digest('hex');
  return digest.slice(0, 16);
}

/** Inputs for `stretchKey`: try `--inputs "passwords(16)"`. */
export function passwords(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `user-${i}-secret`);
}
