// `npm test`: every test tier, one summary line. The work is in scripts/lib/testMain.ts.
import { loadScript } from './withDependencies.mjs';

const { main } = await loadScript('./lib/testMain.ts');
process.exitCode = await main(process.argv.slice(2));
