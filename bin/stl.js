#!/usr/bin/env node
// Entry point for `npx stl`: runs the TypeScript CLI through tsx so no build step is needed.
import { register } from 'tsx/esm/api';

register();
globalThis.__stlStandalone = true; // scripts/cli/commands.js: top-level command ids
await import('../scripts/cli/main.ts');
