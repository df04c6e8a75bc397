// `npm test`: every test tier, one summary line. The work is in scripts/lib/testMain.ts.
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

register();
const require = createRequire(import.meta.url);
const { main } = require('./lib/testMain.ts');
process.exitCode = await main(process.argv.slice(2));
