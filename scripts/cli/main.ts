// Runs the stl CLI: oclif loads the commands listed in scripts/cli/commands.ts (explicit strategy,
// see package.json "oclif"), so the TypeScript sources run through tsx without a build.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
