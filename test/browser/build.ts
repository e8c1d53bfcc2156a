// Builds the Speed to Lead components for the browser preview: one rollup bundle with the real
// lightning-base-components and LWC synthetic shadow, plus a small static page per component.
// Org-only modules (@salesforce/apex, @salesforce/schema, lightning/uiRecordApi, empApi,
// platformResourceLoader, navigation) are served from fixture data by a tiny rollup plugin.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { rollup, type Plugin } from 'rollup';
import lwcModule from '@lwc/rollup-plugin';
import replaceModule from '@rollup/plugin-replace';
import { nodeResolve } from '@rollup/plugin-node-resolve';

/**
 * Both plugins ship CommonJS-style type declarations for an ES module, so under NodeNext the
 * compiler sees the factory as `.default` while the runtime import is the factory itself.
 */
function pluginFactory(imported: unknown): (options: Record<string, unknown>) => Plugin {
  const candidate = (imported as { default?: unknown }).default ?? imported;
  return candidate as (options: Record<string, unknown>) => Plugin;
}
const lwc = pluginFactory(lwcModule);
const replace = pluginFactory(replaceModule);

export const root = path.resolve(import.meta.dirname, '..', '..');
export const outDir = path.join(root, 'build', 'browser', 'site');
const componentsDir = path.join(root, 'force-app', 'main', 'ui', 'lwc');
const lbcDir = path.join(root, 'node_modules', 'lightning-base-components');

type ModuleRecord = { dir: string } | { name: string; path: string } | { npm: string };

/** lightning-base-components' own lwc.modules, with every path made absolute. */
function baseComponentModules(): ModuleRecord[] {
  const pkg = JSON.parse(readFileSync(path.join(lbcDir, 'package.json'), 'utf8')) as {
    lwc: { modules: ({ dir: string } | { name: string; path: string })[] };
  };
  return pkg.lwc.modules.map((m) =>
    'dir' in m
      ? { dir: path.join(lbcDir, m.dir) }
      : { name: m.name, path: path.join(lbcDir, m.path) }
  );
}

/** Our components as c/<name> aliases (the project keeps them without a namespace folder). */
function projectModules(): ModuleRecord[] {
  return readdirSync(componentsDir)
    .filter((name) => existsSync(path.join(componentsDir, name, `${name}.js`)))
    .map((name) => ({ name: `c/${name}`, path: path.join(componentsDir, name, `${name}.js`) }));
}

const VIRTUAL = '\0stl-virtual:';

/** Serves the org-only modules the components import, backed by window.STL_APEX fixtures. */
function orgModules(): Plugin {
  const sources: Record<string, string> = {
    'lightning/uiRecordApi': `
      // Like the platform: first an empty emit, then the record.
      export class getRecord {
        constructor(callback) { this.callback = callback; }
        connect() { this.callback({ data: undefined, error: undefined }); }
        update(config) {
          const id = config.recordId;
          setTimeout(() => this.callback({ data: { id, fields: { Id: { value: id } } }, error: undefined }), 0);
        }
        disconnect() {}
      }`,
    'lightning/empApi': `
      // The preview has no streaming API: the component must fall back to polling.
      export const isEmpEnabled = () => Promise.resolve(false);
      export const subscribe = () => Promise.reject(new Error('empApi is not available in the preview'));
      export const unsubscribe = () => Promise.resolve(true);
      export const onError = () => {};`,
    'lightning/platformResourceLoader': `
      const loaded = new Map();
      export function loadScript(_component, url) {
        if (!loaded.has(url)) {
          loaded.set(url, new Promise((resolve, reject) => {
            const script = document.createElement('script');
            script.src = url;
            script.onload = () => resolve();
            script.onerror = () => reject(new Error('could not load ' + url));
            document.head.appendChild(script);
          }));
        }
        return loaded.get(url);
      }
      export function loadStyle() { return Promise.resolve(); }`,
    'lightning/navigation': `
      export const CurrentPageReference = class { constructor(cb) { this.cb = cb; } connect() {} update() {} disconnect() {} };
      const Navigate = Symbol('Navigate');
      const GenerateUrl = Symbol('GenerateUrl');
      export const NavigationMixin = (Base) => class extends Base {
        [Navigate](pageReference) { window.STL_NAVIGATIONS.push(pageReference); }
        [GenerateUrl](pageReference) { return Promise.resolve('#' + pageReference.attributes.recordId); }
      };
      NavigationMixin.Navigate = Navigate;
      NavigationMixin.GenerateUrl = GenerateUrl;`,
    '@salesforce/resourceUrl/StlChartJs': `export default '/resource/StlChartJs.js';`
  };
  return {
    name: 'stl-org-modules',
    resolveId(id) {
      if (
        id in sources ||
        id.startsWith('@salesforce/apex/') ||
        id.startsWith('@salesforce/schema/')
      ) {
        return VIRTUAL + id;
      }
      return null;
    },
    load(id) {
      if (!id.startsWith(VIRTUAL)) return null;
      const name = id.slice(VIRTUAL.length);
      if (name in sources) return sources[name];
      if (name.startsWith('@salesforce/schema/')) {
        const [objectApiName, fieldApiName] = name.slice('@salesforce/schema/'.length).split('.');
        return `export default ${JSON.stringify({ objectApiName, fieldApiName })};`;
      }
      const method = name.slice('@salesforce/apex/'.length);
      // Works both imperatively (a call returns a promise) and as a wire adapter (new + connect).
      return `
        function call(params) {
          const fixture = window.STL_APEX && window.STL_APEX[${JSON.stringify(method)}];
          if (!fixture) return Promise.reject({ body: { message: 'No preview fixture for ${method}' } });
          return new Promise((resolve, reject) => setTimeout(() => {
            try { resolve(JSON.parse(JSON.stringify(fixture(params || {})))); } catch (e) { reject({ body: { message: e.message } }); }
          }, 30));
        }
        function apex(params) {
          if (new.target) { this.callback = params; return; }
          return call(params);
        }
        apex.prototype.connect = function () { this.callback({ data: undefined, error: undefined }); };
        apex.prototype.update = function (config) {
          call(config).then((data) => this.callback({ data, error: undefined }), (error) => this.callback({ data: undefined, error }));
        };
        apex.prototype.disconnect = function () {};
        export default apex;`;
    }
  };
}

const ENTRY = `
import '@lwc/synthetic-shadow';
import { createElement } from 'lwc';
import SlaCountdown from 'c/slaCountdown';
import SpeedToLeadDashboard from 'c/speedToLeadDashboard';
import StlSetupHealth from 'c/stlSetupHealth';

const components = {
  'c-sla-countdown': SlaCountdown,
  'c-speed-to-lead-dashboard': SpeedToLeadDashboard,
  'c-stl-setup-health': StlSetupHealth
};
window.STL_NAVIGATIONS = [];
for (const mount of document.querySelectorAll('[data-mount]')) {
  const tag = mount.dataset.mount;
  const element = createElement(tag, { is: components[tag] });
  if (mount.dataset.recordId) element.recordId = mount.dataset.recordId;
  mount.appendChild(element);
}
window.STL_READY = true;
`;

/** Fixtures for every page, from the components' jest fixture files. */
function fixtures(): Record<string, unknown> {
  const read = (component: string) => {
    const dir = path.join(componentsDir, component, '__tests__', 'data');
    return Object.fromEntries(
      readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(path.join(dir, f), 'utf8'))])
    );
  };
  return {
    slaCountdown: read('slaCountdown'),
    speedToLeadDashboard: read('speedToLeadDashboard'),
    stlSetupHealth: read('stlSetupHealth')
  };
}

function page(title: string, body: string, script: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>${title}</title>
<link rel="stylesheet" href="/assets/styles/salesforce-lightning-design-system.min.css">
<style>
  body { background: #f3f3f3; margin: 0; }
  .stl-page { padding: 1rem; max-width: 1400px; margin: 0 auto; }
  .stl-page h1 { font-size: 1.25rem; font-weight: 700; margin-bottom: 0.75rem; }
  .stl-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 1rem; }
  .stl-case { font-size: 0.75rem; color: #444; text-transform: uppercase; letter-spacing: 0.04em; margin-bottom: 0.25rem; }
</style>
<script src="/fixtures.js"></script>
<script>${script}</script>
</head>
<body class="slds-scope">
<main class="stl-page">
<h1>${title}</h1>
${body}
</main>
<script src="/app.js"></script>
</body>
</html>
`;
}

/** The countdown cases shown side by side; their times are shifted to "now" on page load. */
export const COUNTDOWN_CASES = [
  'pendingOpen',
  'pendingPaused',
  'warning',
  'missed',
  'hit',
  'missedTouched',
  'excluded',
  'notApplicable'
];

function writePages(): void {
  const countdownCards = COUNTDOWN_CASES.map(
    (name, i) =>
      `<section data-case="${name}"><p class="stl-case">${name}</p><div data-mount="c-sla-countdown" data-record-id="00Q00000000000${String(i).padStart(1, '0')}AAA"></div></section>`
  ).join('\n');
  const countdownScript = `
    // Each card gets its own lead. Fixture instants move by whole weeks so the fixture keeps
    // its weekday and time of day (Saturday stays closed); the component's server-clock skew
    // then shows the fixture's moment, and server time advances with the page like an org's.
    const cases = ${JSON.stringify(COUNTDOWN_CASES)};
    const WEEK = 7 * 24 * 60 * 60 * 1000;
    const loadedAt = Date.now();
    window.STL_APEX = {
      'StlCountdownController.getCountdown': ({ leadId }) => {
        const fixture = window.STL_FIXTURES.slaCountdown[cases[Number(leadId.slice(14, 15))]];
        const weeks = Math.round((loadedAt - fixture.serverNowMs) / WEEK) * WEEK;
        const moved = JSON.parse(JSON.stringify(fixture), (key, value) =>
          typeof value === 'number' && /Ms$/.test(key) ? value + weeks : value);
        moved.serverNowMs = fixture.serverNowMs + weeks + (Date.now() - loadedAt);
        return moved;
      }
    };`;
  writeFileSync(
    path.join(outDir, 'slaCountdown.html'),
    page(
      'SLA countdown (Lead record page)',
      `<div class="stl-cards">${countdownCards}</div>`,
      countdownScript
    )
  );
  writeFileSync(
    path.join(outDir, 'speedToLeadDashboard.html'),
    page(
      'Speed to Lead dashboard (app page)',
      '<div data-mount="c-speed-to-lead-dashboard"></div>',
      `window.STL_APEX = {
        'StlDashboardController.getDashboard': () => window.STL_FIXTURES.speedToLeadDashboard.dashboard,
        'StlDashboardController.getFilterOptions': () => window.STL_FIXTURES.speedToLeadDashboard.filterOptions
      };`
    )
  );
  writeFileSync(
    path.join(outDir, 'stlSetupHealth.html'),
    page(
      'Speed to Lead setup health (app page)',
      '<div data-mount="c-stl-setup-health"></div>',
      `window.STL_APEX = {
        'StlSetupHealthController.getHealth': () => window.STL_FIXTURES.stlSetupHealth.healthProblems
      };`
    )
  );
  writeFileSync(
    path.join(outDir, 'index.html'),
    page(
      'Speed to Lead components',
      `<ul class="slds-list_dotted">
        <li><a href="/slaCountdown.html">SLA countdown</a></li>
        <li><a href="/speedToLeadDashboard.html">Speed to Lead dashboard</a></li>
        <li><a href="/stlSetupHealth.html">Setup health</a></li>
      </ul>`,
      ''
    )
  );
  writeFileSync(
    path.join(outDir, 'fixtures.js'),
    `window.STL_FIXTURES = ${JSON.stringify(fixtures())};\n`
  );
}

/** Builds the bundle and the pages into build/browser/site. */
export async function build(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const entryId = '\0stl-entry';
  const bundle = await rollup({
    input: entryId,
    onwarn(warning, warn) {
      if (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED') return;
      // lightning-base-components' own template warnings are not ours to fix.
      if (warning.plugin === 'rollup-plugin-lwc-compiler' && warning.id?.includes('node_modules'))
        return;
      warn(warning);
    },
    plugins: [
      {
        name: 'stl-entry',
        resolveId: (id) => (id === entryId ? entryId : null),
        load: (id) => (id === entryId ? ENTRY : null)
      },
      orgModules(),
      replace({
        preventAssignment: true,
        values: {
          'process.env.NODE_ENV': JSON.stringify('development'),
          'import.meta.env.SSR': 'false'
        }
      }),
      lwc({
        rootDir: componentsDir,
        modules: [...projectModules(), ...baseComponentModules()],
        enableDynamicComponents: true,
        // Some base components (combobox, input) call attachInternals, which synthetic shadow
        // supports only with this compiler flag.
        enableSyntheticElementInternals: true
      }),
      nodeResolve({ dedupe: ['lwc', '@lwc/engine-dom', '@lwc/synthetic-shadow'] })
    ]
  });
  await bundle.write({
    file: path.join(outDir, 'app.js'),
    format: 'iife',
    inlineDynamicImports: true
  });
  await bundle.close();
  writePages();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  await build();
  console.log(
    `browser preview built into ${path.relative(root, outDir)} in ${((Date.now() - started) / 1000).toFixed(1)} s`
  );
}
