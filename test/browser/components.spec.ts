// Browser tests of the Speed to Lead components in Debian's chromium (see run.ts): each page
// renders without console errors, shows its key text, the countdown ticks and pauses, the
// dashboard charts draw on their canvases and the rep scorecard sorts. Screenshots go to
// build/browser/.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const base = process.env.STL_PREVIEW_URL;
const executablePath = process.env.STL_CHROMIUM ?? '/usr/bin/chromium';
const shots = path.resolve(import.meta.dirname, '..', '..', 'build', 'browser');
if (!base) {
  throw new Error('STL_PREVIEW_URL is not set: run the specs through test/browser/run.ts');
}

/** The few canvas members the pixel check reads (the project's TS config has no DOM lib). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
  };
}

let browser: Browser;

before(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  });
});

after(async () => {
  await browser?.close();
});

async function open(name: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  page.on('requestfailed', (request) => errors.push(`request: ${request.url()}`));
  await page.goto(`${base}/${name}.html`);
  await page.waitForFunction('window.STL_READY === true');
  return { page, errors };
}

/** Polls `read` until `ok` accepts its value (or the time is up) and returns the last value. */
async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 10_000
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

/** Seconds shown by a countdown clock ("m:ss" or "h:mm:ss"). */
function seconds(clock: string): number {
  return clock
    .trim()
    .split(':')
    .map(Number)
    .reduce((total, part) => total * 60 + part, 0);
}

describe('slaCountdown', () => {
  it('renders every state, ticks while open and stays paused while closed', async () => {
    const { page, errors } = await open('slaCountdown');
    const card = (name: string) => page.locator(`section[data-case="${name}"]`);
    const clock = (name: string) => card(name).locator('[data-id="clock"]');
    await clock('pendingOpen').waitFor();

    const readAt = Date.now();
    const openBefore = seconds(await clock('pendingOpen').innerText());
    const pausedBefore = await clock('pendingPaused').innerText();
    const lateBefore = seconds(await clock('missed').innerText());
    // Poll (up to 10 s) until both ticking clocks have moved two seconds: a fixed wait is flaky on
    // a busy machine, and the upper bound below still catches a clock that runs too fast.
    let openAfter = openBefore;
    let lateAfter = lateBefore;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (openBefore - openAfter < 2 || lateAfter - lateBefore < 2)) {
      await page.waitForTimeout(250);
      openAfter = seconds(await clock('pendingOpen').innerText());
      lateAfter = seconds(await clock('missed').innerText());
    }
    // Wall time between the reads, plus slack for a busy machine.
    const elapsed = (Date.now() - readAt) / 1000 + 1.5;

    assert.ok(
      openBefore > 0 && openBefore <= 25 * 60,
      `open clock starts under 25:00 (${openBefore})`
    );
    assert.ok(
      openBefore - openAfter >= 2 && openBefore - openAfter <= elapsed,
      `open clock ticks down (${openBefore} -> ${openAfter})`
    );
    assert.equal(
      await clock('pendingPaused').innerText(),
      pausedBefore,
      'paused clock does not move'
    );
    assert.equal(pausedBefore, '20:00', 'paused clock keeps the 20 business minutes left');
    assert.ok(lateAfter - lateBefore >= 2, `late clock counts up (${lateBefore} -> ${lateAfter})`);

    assert.match(await card('pendingOpen').innerText(), /On track/);
    assert.match(
      await card('pendingPaused').innerText(),
      /Paused: outside business hours, resumes Mon 9:00 AM/
    );
    assert.match(await card('warning').innerText(), /Due soon/);
    assert.match(await card('missed').innerText(), /Missed[\s\S]*Escalated to tier 2 \(manager\)/);
    assert.match(await card('hit').innerText(), /Hit[\s\S]*Speed to lead\s*14\.5 min/);
    assert.match(await card('missedTouched').innerText(), /Missed by 40 min of business time/);
    assert.match(await card('excluded').innerText(), /Excluded \(Disqualified\)/);
    assert.match(await card('notApplicable').innerText(), /No SLA rule matched this lead/);

    await page.screenshot({ path: path.join(shots, 'slaCountdown.png'), fullPage: true });
    assert.deepEqual(errors, [], 'no console or page errors');
    await page.close();
  });
});

describe('speedToLeadDashboard', () => {
  it('shows KPIs, draws the charts, sorts the scorecard and drills down from the queue', async () => {
    const { page, errors } = await open('speedToLeadDashboard');
    await page.locator('[data-kpi="hitRate"]').waitFor();

    assert.match(await page.locator('[data-kpi="hitRate"]').innerText(), /87\.3%/);
    assert.match(await page.locator('[data-kpi="median"]').innerText(), /9\.5 min/);
    assert.match(await page.locator('[data-kpi="atRisk"]').innerText(), /5/);
    assert.match(
      await page.locator('[data-id="unit"]').innerText(),
      /count engagement cycles: 519 cycles of 488 leads .* live queue counts leads waiting now/,
      'the units are spelled out'
    );
    assert.match(
      await page.locator('.panel-title', { hasText: 'Live queue' }).innerText(),
      /leads waiting now/
    );

    const canvases = page.locator('canvas[data-chart]');
    await page.waitForFunction('window.Chart !== undefined');
    assert.equal(await canvases.count(), 4, 'four charts');
    const readInk = () =>
      canvases.evaluateAll((elements: CanvasLike[]) =>
        elements.map((canvas) => {
          const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          let inked = 0;
          for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
          return inked;
        })
      );
    const painted = await eventually(readInk, (ink) => ink.every((n) => n > 500));
    painted.forEach((inked, i) =>
      assert.ok(inked > 500, `chart ${i} drew on its canvas (${inked} pixels)`)
    );

    const repNames = async () =>
      (await page.locator('lightning-datatable tbody tr').allInnerTexts()).map((row) =>
        row.split(/\s+\d/)[0].trim()
      );
    const initial = ['Blake Ortiz', 'Devon Kim', 'Casey Patel', 'Avery Chen'];
    assert.deepEqual(
      await eventually(repNames, (names) => names.join() === initial.join()),
      initial,
      'initially by hit rate'
    );
    const escalationsHeader = page
      .locator('lightning-datatable th', { hasText: 'Escalations' })
      .locator('a')
      .first();
    await escalationsHeader.click();
    const firstSort = await eventually(repNames, (names) => names.join() !== initial.join());
    await escalationsHeader.click();
    const secondSort = await eventually(repNames, (names) => names.join() !== firstSort.join());
    const byEscalationsAsc = ['Avery Chen', 'Casey Patel', 'Devon Kim', 'Blake Ortiz'];
    assert.deepEqual(
      [firstSort, secondSort].sort(),
      [byEscalationsAsc, [...byEscalationsAsc].reverse()].sort(),
      'sorted both ways by escalations'
    );

    await page.locator('.queue-link', { hasText: 'Priya Nair' }).click();
    const navigations = (await page.evaluate('window.STL_NAVIGATIONS')) as {
      attributes: { recordId: string };
    }[];
    assert.equal(
      navigations.at(-1)?.attributes.recordId,
      '00Q000000000013AAA',
      'drill-down to the lead'
    );

    await page.screenshot({ path: path.join(shots, 'speedToLeadDashboard.png'), fullPage: true });
    assert.deepEqual(errors, [], 'no console or page errors');
    await page.close();
  });
});

describe('stlSetupHealth', () => {
  it('shows problems, dispatcher, errors and the go-live checklist', async () => {
    const { page, errors } = await open('stlSetupHealth');
    await page.locator('[data-id="problem-summary"]').waitFor();

    assert.equal(
      (await page.locator('[data-id="problem-summary"]').innerText()).trim(),
      '3 problems to fix'
    );
    assert.equal(await page.locator('[data-id="checklist"] li').count(), 4, 'four go-live steps');
    const hot = await page.locator('[data-row="Hot"]').innerText();
    assert.match(hot, /Unknown BusinessHours "EMEA Hours"/);
    assert.match(hot, /overlaps rule DemoRequest/);
    assert.match(await page.locator('[data-id="dispatcher"]').innerText(), /Running/);
    assert.match(await page.locator('[data-id="errors"]').innerText(), /TA_Task_DetectFirstTouch/);

    await page.screenshot({ path: path.join(shots, 'stlSetupHealth.png'), fullPage: true });
    assert.deepEqual(errors, [], 'no console or page errors');
    await page.close();
  });
});
