// `npm start`: a real VS Code (code-server) with the extension loaded. The work is in scripts/lib/startMain.ts.
import { createRequire } from 'node:module';
import { register } from 'tsx/cjs/api';

register();
const require = createRequire(import.meta.url);
const { main } = require('./lib/startMain.ts');
process.exitCode = await main(process.argv.slice(2));
