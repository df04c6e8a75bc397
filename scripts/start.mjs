// `npm start`: a real VS Code (code-server) with the extension loaded. The work is in scripts/lib/startMain.ts.
import { loadScript } from './withDependencies.mjs';

const { main } = await loadScript('./lib/startMain.ts');
process.exitCode = await main(process.argv.slice(2));
