// The reliability lab (/reliability) in headless Chromium against the real
// server: its own page and wasm (the only one built with the reliability
// engine). Its menu offers exactly the nine reliability lessons and opens
// the first; every one loads and plays without console errors; stepping a
// lesson gives exactly what `fanout sim` prints for the same seed and step
// (trace digest, clock); the header names it in English and Chinese; it
// offers no live room (rooms do not run the engine yet). The queue lab's
// page, built without the engine, offers none of these lessons and says so
// when an address asks for one. Screenshots go to target/e2e/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launchBrowser, openPage, screenshot, startServer } from './harness.mjs';

const FANOUT_BIN = process.env.FANOUT_BIN ?? 'target/release/fanout';
const PRESETS = ['at-most-once', 'at-least-once', 'effectively-once', 'visibility-timeout', 'poison',
  'prefetch-starvation', 'broker-restart', 'flow-control', 'lazy-pirate'];

/** What the command-line simulator says after `steps` events. */
function sim(scenario, seed, steps) {
  const out = execFileSync(FANOUT_BIN, ['sim', '--scenario', scenario, '--seed', String(seed), '--steps', String(steps), '--json']);
  return JSON.parse(out.toString());
}

async function open(page, url) {
  await page.goto(url);
  await page.locator('.queue-lab[data-step]').waitFor({ timeout: 15_000 });
  await page.locator('.queue-lab g.node').first().waitFor({ timeout: 15_000 });
}

/** Presses a key `n` times with the page (not a form field) focused. */
async function press(page, key, n) {
  await page.evaluate(() => document.activeElement?.blur());
  for (let i = 0; i < n; i += 1) await page.keyboard.press(key);
}

async function play(page, ms) {
  await page.getByRole('button', { name: /^(▶ )?Play$/ }).click();
  await page.waitForTimeout(ms);
  // A short scenario may have played to its end already and stopped itself.
  if ((await page.locator('.queue-lab').getAttribute('data-playing')) === 'true') {
    await page.getByRole('button', { name: /Pause/ }).click();
  }
  await page.locator('.queue-lab[data-playing="false"]').waitFor();
}

describe('reliability lab', () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('is a page of its own with the nine reliability lessons and no live room', async () => {
    const page = await openPage(browser);
    await open(page, `${server.url}/reliability`);
    assert.equal(await page.locator('h1').textContent(), 'Reliability lab');
    const current = page.locator('header a[aria-current="page"]');
    assert.equal((await current.textContent()).trim(), 'Reliability');
    const options = await page.locator('.scenario-select option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(options, PRESETS);
    assert.equal(await page.locator('.scenario-select').inputValue(), PRESETS[0], 'opens the first lesson');
    assert.equal(await page.locator('.live-room').count(), 0, 'no live room');
    const wasm = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.wasm')));
    assert.equal(wasm.length, 1, `${wasm}`);
    assert.match(wasm[0], /fanout-reliability-[^/]*_bg\.wasm$/);
    await screenshot(page, 'reliability-1280');
    assert.deepEqual(page.problems, []);
    await page.close();

    const zh = await openPage(browser, { locale: 'zh-CN' });
    await open(zh, `${server.url}/reliability?lang=zh`);
    assert.equal(await zh.locator('h1').textContent(), '可靠性实验');
    assert.equal((await zh.locator('header a[aria-current="page"]').textContent()).trim(), '可靠性');
    await screenshot(zh, 'reliability-zh-1280');
    assert.deepEqual(zh.problems, []);
    await zh.close();
  });

  it('steps a lesson to exactly what fanout sim prints', async () => {
    const want = sim('at-least-once', 3, 300);
    const page = await openPage(browser);
    await open(page, `${server.url}/reliability?scenario=at-least-once&seed=3`);
    await press(page, 'ArrowRight', 300);
    await page.locator('.queue-lab[data-step="300"]').waitFor({ timeout: 15_000 });
    const got = await page.evaluate(() => {
      const lab = document.querySelector('.queue-lab');
      return { digest: lab.dataset.digest, time: Number(lab.dataset.time) };
    });
    assert.equal(got.digest, want.trace_digest, 'trace digest');
    assert.equal(got.time, want.now, 'virtual clock');
    console.log(`# at-least-once seed 3, 300 events: page digest=${got.digest}; fanout sim digest=${want.trace_digest}`);
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  it('every reliability preset loads and plays without console errors', async () => {
    for (const name of PRESETS) {
      const page = await openPage(browser);
      await open(page, `${server.url}/reliability?scenario=${name}&seed=1`);
      assert.equal(await page.locator('.scenario-select').inputValue(), name);
      await page.locator('.speed select').selectOption('10');
      await play(page, 700);
      const step = Number(await page.locator('.queue-lab').getAttribute('data-step'));
      assert.ok(step > 0, `${name} played`);
      const caption = await page.locator('.what-happened .caption-text').textContent();
      assert.ok(caption.length > 10, `${name} has a caption`);
      await screenshot(page, `reliability-preset-${name}`);
      assert.deepEqual(page.problems, [], name);
      await page.close();
    }
  });

  it('the queue lab offers none of them and says so when asked for one', async () => {
    const page = await openPage(browser);
    await open(page, `${server.url}/queues?scenario=at-least-once`);
    const options = await page.locator('.scenario-select option').evaluateAll((os) => os.map((o) => o.value));
    for (const name of PRESETS) assert.ok(!options.includes(name), `${name} is not in the queue lab's menu`);
    assert.equal(await page.locator('.scenario-select').inputValue(), 'pi', 'it opens its own first preset');
    assert.match(await page.locator('.notice.problem').textContent(), /at-least-once/);
    assert.deepEqual(page.problems, []);
    await page.close();
  });
});
