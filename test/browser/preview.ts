// `npm run preview`: builds the components and serves a page per component with fixture data on
// 127.0.0.1 until interrupted. STL_PREVIEW_PORT picks the port (default 4173).
import { build } from './build.ts';
import { serve } from './server.ts';

await build();
const { url } = await serve(Number(process.env.STL_PREVIEW_PORT ?? 4173));
console.log(`Speed to Lead preview: ${url}/ (Ctrl+C to stop)`);
for (const page of ['slaCountdown', 'speedToLeadDashboard', 'stlSetupHealth']) {
  console.log(`  ${url}/${page}.html`);
}
