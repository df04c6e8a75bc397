// The bench's work in a module that imports a package, as a user's module with dependencies does:
// chart.js bundles to ~500 KB with a ~400 KB source map, which every worker loads (for
// bench/compareBuilds.ts, e.g. to see what a worker's start-up costs on such a bundle).
import { Chart } from 'chart.js/auto';

export function work(steps: number): number {
  let x = Chart.defaults.font.size ?? 0;
  for (let i = 0; i < steps; i++) x = (x * 31 + i) % 1000003;
  return x;
}
