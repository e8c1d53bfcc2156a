// The oclif command list (package.json "oclif".commands.target). A JavaScript shim so that a host
// which loads this package without transpiling TypeScript (the sf CLI after `sf plugins link`,
// which imports linked ESM plugins as plain JavaScript) can load the TypeScript commands: it
// registers tsx (a devDependency), then re-exports scripts/cli/commands.ts. Standalone (`npx stl`,
// bin/stl.js) the ids are `audit`, `seed`...; inside sf they sit under the `stl` topic, so the
// commands read `sf stl audit`, `sf stl seed`... and never collide with sf's own.
import { register } from 'tsx/esm/api';

const standalone = globalThis.__stlStandalone === true;
if (!standalone) register();
const { default: commands } = await import('./commands.ts');

export default standalone
  ? commands
  : Object.fromEntries(Object.entries(commands).map(([id, command]) => [`stl:${id}`, command]));
