// The queue lab in headless Chromium against the real server: stepping the
// π scenario in the page gives exactly what `fanout sim` prints for the
// same seed and step (tally count, π text, trace digest); stepping back and
// forward lands on the same state; a copied link reproduces the state in a
// fresh page; editing a subscription changes who receives what; every
// preset loads and plays without console errors; the keys work. Screenshots
// (English and Chinese, 1280 and 390 px wide) go to target/e2e/.
//
// With QUEUE_BENCH=1 it also measures (and prints, never asserts) frames
// per second with 1,000 messages in flight, time to interactive and the
// engine's events per second in wasm, for docs/BENCHMARKS.md.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countFrames, fanoutSim as sim, inflight1000Scenario, launchBrowser, openPage, openQueueLab as open, screenshot, startServer } from './harness.mjs';

// The ZeroMQ patterns; the reliability lessons play on /reliability
// (reliability.test.mjs).
const PRESETS = ['pi', 'pipeline', 'pubsub', 'rpc', 'signup', 'logs', 'slow-subscriber', 'slow-joiner'];

async function waitStep(page, step) {
  await page.locator(`.queue-lab[data-step="${step}"]`).waitFor({ timeout: 15_000 });
}

async function state(page) {
  return page.evaluate(() => {
    const lab = document.querySelector('.queue-lab');
    const pi = document.querySelector('.pi-readout');
    return {
      step: Number(lab.dataset.step),
      time: Number(lab.dataset.time),
      digest: lab.dataset.digest,
      q: pi ? Number(pi.dataset.q) : null,
      pi: pi ? pi.dataset.pi : null,
      piText: pi ? pi.querySelector('.pi-value').textContent : null,
      caption: document.querySelector('.what-happened .caption-text').textContent,
      log: [...document.querySelectorAll('.log-row')].slice(0, 5).map((r) => r.dataset.step),
    };
  });
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

describe('queue lab', () => {
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

  it('steps pi 200 events to exactly what fanout sim prints', async () => {
    for (const seed of [7, 3]) {
      const want = sim('pi', seed, 200);
      const page = await openPage(browser);
      await open(page, `${server.url}/queues?scenario=pi&seed=${seed}`);
      assert.equal(await page.locator('h1').textContent(), 'Queue lab');
      await press(page, 'ArrowRight', 200);
      await waitStep(page, 200);
      const got = await state(page);
      assert.equal(got.q, want.tally.q, 'tally count');
      assert.equal(got.pi, String(want.pi_estimate), 'π as data');
      assert.equal(got.piText, String(want.pi_estimate), 'π as shown');
      assert.equal(got.digest, want.trace_digest, 'trace digest');
      assert.equal(got.time, want.now, 'virtual clock');
      console.log(`# seed ${seed}: page q=${got.q} π=${got.piText} digest=${got.digest}; fanout sim q=${want.tally.q} π=${want.pi_estimate} digest=${want.trace_digest}`);
      if (seed === 7) await screenshot(page, 'queues-pi-200-1280');
      assert.deepEqual(page.problems, []);
    }
  });

  it('steps back 50 and forward 50 to the same state', async () => {
    const page = await openPage(browser);
    await open(page, `${server.url}/queues?scenario=pi&seed=7&step=200`);
    await waitStep(page, 200);
    const before200 = await state(page);
    await press(page, 'ArrowLeft', 50);
    await waitStep(page, 150);
    const at150 = await state(page);
    assert.notEqual(at150.digest, before200.digest);
    assert.equal(at150.log[0], '149', 'the log ends with the event before the position');
    await press(page, 'ArrowRight', 50);
    await waitStep(page, 200);
    assert.deepEqual(await state(page), before200);
    // The scrubber goes back too.
    await page.locator('.scrubber input').fill('120');
    await waitStep(page, 120);
    assert.deepEqual(page.problems, []);
  });

  it('a copied link reproduces the state in a fresh page', async () => {
    const page = await openPage(browser);
    await open(page, `${server.url}/queues?scenario=pipeline&seed=5`);
    await page.locator('.speed select').selectOption('10');
    await play(page, 800);
    await press(page, 'ArrowRight', 7);
    const here = await state(page);
    assert.ok(here.step > 50, `played to ${here.step}`);
    await page.getByRole('button', { name: 'Copy link to this state' }).click();
    const link = await page.locator('.link-out input').inputValue();
    assert.match(link, /scenario=pipeline/);
    assert.match(link, new RegExp(`step=${here.step}`));
    const fresh = await openPage(browser);
    await open(fresh, link);
    await waitStep(fresh, here.step);
    assert.deepEqual(await state(fresh), here);
    // The address bar holds the same state.
    const again = await openPage(browser);
    await open(again, page.url());
    await waitStep(again, here.step);
    assert.equal((await state(again)).digest, here.digest);
    assert.deepEqual([...page.problems, ...fresh.problems, ...again.problems], []);
  });

  it('without a clipboard, Copy link shows the link to copy by hand', async () => {
    const page = await openPage(browser);
    // An insecure context (a classroom server reached over http by its IP
    // address) has no navigator.clipboard; calling it there would throw.
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
    await open(page, `${server.url}/queues?scenario=pipeline&seed=5&step=30`);
    await page.getByRole('button', { name: 'Copy link to this state' }).click();
    const link = await page.locator('.link-out input').inputValue();
    assert.match(link, /scenario=pipeline/);
    assert.match(link, /step=30/);
    await page.locator('.share .copied', { hasText: 'Select the link and copy it.' }).waitFor();
    assert.deepEqual(page.problems, []);
  });

  it('editing a subscription changes which node receives what', async () => {
    const received = async (page, node) => {
      await page.locator(`g.node[data-node="${node}"] .card-body`).click({ position: { x: 30, y: 14 } });
      return Number(await page.locator('.node-panel [data-counter="received"]').textContent());
    };
    // Unedited: "deaf" has no subscription and gets nothing.
    const plain = await openPage(browser);
    await open(plain, `${server.url}/queues?scenario=pubsub&seed=1&step=1500`);
    await waitStep(plain, 1500);
    assert.equal(await received(plain, 'deaf'), 0);
    const weatherBefore = await received(plain, 'weather_desk');
    assert.ok(weatherBefore > 0);

    const page = await openPage(browser);
    await open(page, `${server.url}/queues?scenario=pubsub&seed=1&step=300`);
    await waitStep(page, 300);
    await page.locator('g.node[data-node="deaf"] .socket-row').click();
    await page.locator('.socket-panel .subscribe input').fill('news');
    await page.locator('.socket-panel .subscribe button').click();
    await page.locator('.socket-panel ul.subs li[data-topic="news"]').waitFor();
    await page.locator('g.node[data-node="weather_desk"] .socket-row').click();
    await page.locator('.socket-panel li[data-topic="weather."] button.unsubscribe').click();
    await page.locator('.socket-panel ul.subs li.empty').waitFor();
    await press(page, 'ArrowRight', 1);
    const editedStep = Number((await state(page)).step);
    await page.locator('.scrubber input').evaluate((el) => el.scrollIntoView());
    await page.locator('.speed select').selectOption('25');
    await play(page, 1200);
    const steps = (await state(page)).step;
    assert.ok(steps > editedStep + 200, `played to ${steps}`);
    assert.ok(await received(page, 'deaf') > 0, 'deaf now receives news');
    const weatherAfter = await received(page, 'weather_desk');
    // The log names deaf receiving a news item.
    await page.locator('g.node[data-node="deaf"] .card-body').click({ position: { x: 30, y: 14 } });
    const texts = await page.locator('.log-row.related .log-text').allTextContents();
    assert.ok(texts.some((t) => /deaf receives m\d+ "news/.test(t) || /deaf.in/.test(t)), texts.slice(0, 5).join('\n'));
    // weather_desk gets nothing after its unsubscription arrives: compare
    // with the same number of steps unedited.
    const control = await openPage(browser);
    await open(control, `${server.url}/queues?scenario=pubsub&seed=1&step=${steps}`);
    await waitStep(control, steps);
    assert.ok(weatherAfter < await received(control, 'weather_desk'), 'weather_desk stopped receiving');
    // The edits are in the address: a reload replays them.
    const reload = await openPage(browser);
    await open(reload, page.url());
    await waitStep(reload, steps);
    assert.equal((await state(reload)).digest, (await state(page)).digest);
    await screenshot(page, 'queues-pubsub-edited-1280');
    assert.deepEqual([...plain.problems, ...page.problems, ...control.problems, ...reload.problems], []);
  });

  it('refuses an impossible connection with the engine\'s reason, where the user acted', async () => {
    const page = await openPage(browser);
    await open(page, `${server.url}/queues?scenario=pi&seed=1&step=20`);
    // Drag tally's PULL port onto bitsource's PUB port: PULL cannot talk to PUB.
    const from = page.locator('g.node[data-node="tally"] .port');
    const to = page.locator('g.node[data-node="bitsource"] .port');
    // Both ports must be on screen: a drop is resolved by elementFromPoint.
    await to.scrollIntoViewIfNeeded();
    await from.scrollIntoViewIfNeeded();
    const a = await from.boundingBox();
    const b = await to.boundingBox();
    await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
    await page.mouse.down();
    await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
    await page.mouse.up();
    const message = page.locator('.canvas-message');
    await message.waitFor({ timeout: 5000 });
    assert.match(await message.textContent(), /PULL/);
    assert.equal((await state(page)).step, 20, 'nothing changed');
    await screenshot(page, 'queues-refused-connect');
    assert.deepEqual(page.problems, []);
  });

  it('messages in flight are painted, described on hover and selected by a click', async () => {
    const page = await openPage(browser);
    await open(page, `${server.url}/queues?scenario=pipeline&seed=1&step=60`);
    await waitStep(page, 60);
    const layer = page.locator('canvas.message-layer');
    await layer.scrollIntoViewIfNeeded();
    const dots = Number(await layer.getAttribute('data-dots'));
    assert.ok(dots > 0, 'pipeline has messages on the wire at event 60');
    // Find a painted dot in the bitmap itself: the middle of a run of
    // opaque pixels, in page coordinates.
    const at = await layer.evaluate((canvas) => {
      const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      const box = canvas.getBoundingClientRect();
      for (let y = 0; y < height; y += 1) {
        for (let x = 0; x + 4 < width; x += 1) {
          const opaque = (dx) => data[(y * width + x + dx) * 4 + 3] > 200;
          if (opaque(0) && opaque(2) && opaque(4)) {
            return { x: box.left + ((x + 2) * box.width) / width, y: box.top + ((y + 2) * box.height) / height };
          }
        }
      }
      return null;
    });
    assert.ok(at, 'some dot is painted on the canvas');
    await page.mouse.move(at.x, at.y);
    const tip = page.locator('.queue-lab .dot-tip');
    await tip.waitFor();
    const text = await tip.textContent();
    assert.match(text, /^m\d+ "/, `the tooltip names the message and its payload: ${text}`);
    await page.mouse.click(at.x, at.y);
    const panel = page.locator('.inspector .msg-panel');
    await panel.waitFor();
    assert.equal(`m${await panel.getAttribute('data-msg')}`, text.split(' ')[0], 'the clicked message is inspected');
    await screenshot(page, 'queues-dot-selected');
    assert.deepEqual(page.problems, []);
  });

  it('repaints the dots\' outlines when the reader switches to dark', async () => {
    // The SVG follows the colour scheme by CSS alone; the painted dots keep
    // whatever outline colour they were painted with until told.
    const page = await openPage(browser);
    await page.emulateMedia({ colorScheme: 'light' });
    await open(page, `${server.url}/queues?scenario=pipeline&seed=1&step=60`);
    await waitStep(page, 60);
    const layer = page.locator('canvas.message-layer');
    const outlinePixels = () => layer.evaluate((canvas) => {
      const surface = getComputedStyle(canvas).getPropertyValue('--surface').trim();
      // The CSS colour as bytes, through a 1×1 canvas.
      const probe = document.createElement('canvas').getContext('2d');
      probe.fillStyle = surface;
      probe.fillRect(0, 0, 1, 1);
      const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        const near = Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 24;
        if (data[i + 3] > 200 && near) count += 1;
      }
      return { surface, count };
    });
    const light = await outlinePixels();
    assert.ok(light.count > 0, `dots are outlined in the light surface colour ${light.surface}`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction((before) => getComputedStyle(document.querySelector('canvas.message-layer')).getPropertyValue('--surface').trim() !== before, light.surface);
    // Repainting happens on the next frame.
    await page.waitForTimeout(200);
    const dark = await outlinePixels();
    assert.notEqual(dark.surface, light.surface, 'the dark scheme has another surface colour');
    assert.ok(dark.count > 0, `after the switch, dots are outlined in the dark surface colour ${dark.surface}`);
    assert.deepEqual(page.problems, []);
  });

  it('every preset loads and plays without console errors', async () => {
    for (const name of PRESETS) {
      const page = await openPage(browser);
      await open(page, `${server.url}/queues?scenario=${name}&seed=1`);
      assert.equal(await page.locator('.scenario-select').inputValue(), name);
      await page.locator('.speed select').selectOption('10');
      await play(page, 700);
      const s = await state(page);
      assert.ok(s.step > 0, `${name} played`);
      assert.ok(s.caption.length > 10, `${name} has a caption`);
      await screenshot(page, `queues-preset-${name}`);
      assert.deepEqual(page.problems, [], name);
      await page.close();
    }
  });

  it('works by keyboard with labelled buttons', async () => {
    const page = await openPage(browser);
    await open(page, `${server.url}/queues?scenario=rpc&seed=2`);
    for (const name of ['Play', 'Step', 'Step back', 'Restart', 'Copy link to this state']) {
      assert.equal(await page.getByRole('button', { name: new RegExp(`^(▶ |← )?${name}( →)?$`) }).count(), 1, name);
    }
    await press(page, 'ArrowRight', 30);
    await waitStep(page, 30);
    await press(page, 'ArrowLeft', 3);
    await waitStep(page, 27);
    await press(page, ' ', 1);
    await page.locator('.queue-lab[data-playing="true"]').waitFor();
    await page.waitForTimeout(300);
    await press(page, ' ', 1);
    await page.locator('.queue-lab[data-playing="false"]').waitFor();
    // A card is reachable by Tab and Enter inspects it.
    await page.locator('g.node[data-node="backend-1"] .card-body').focus();
    await page.keyboard.press('Enter');
    await page.locator('.node-panel[data-node="backend-1"]').waitFor();
    // REQ/REP state is shown in words.
    assert.match(await page.locator('g.node[data-node="frontend-1"]').textContent(), /may send|awaiting reply/);
    assert.deepEqual(page.problems, []);
  });

  for (const [lang, width] of [['en', 1280], ['zh', 1280], ['en', 390], ['zh', 390]]) {
    it(`looks right in ${lang} at ${width} px`, async () => {
      const page = await openPage(browser, { viewport: { width, height: 900 } });
      await open(page, `${server.url}/queues?scenario=pi&seed=7&step=260&lang=${lang}`);
      await waitStep(page, 260);
      if (lang === 'zh') {
        assert.equal(await page.locator('h1').textContent(), '消息队列实验');
        assert.match(await page.locator('.what-happened .caption-text').textContent(), /[\u4e00-\u9fff]/);
      }
      await page.locator('g.node[data-node="judge"] .card-body').click({ position: { x: 30, y: 14 } });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the page is ${overflow}px wider than the window`);
      await screenshot(page, `queues-${lang}-${width}`);
      assert.deepEqual(page.problems, []);
    });
  }

  it('draws the declared connections dotted before anything connects, and solid once they do', async () => {
    const page = await openPage(browser);
    await open(page, `${server.url}/queues?scenario=pi&seed=7`);
    await waitStep(page, 0);
    const declared = () => page.locator('svg.canvas path.pipe-declared').count();
    const pipes = () => page.locator('svg.canvas g.pipe').count();
    const atStart = await declared();
    // π's five nodes declare four connections (and REQ/REP's two pipes are one connection).
    assert.ok(atStart >= 4, `${atStart} declared connections drawn at step 0`);
    assert.equal(await pipes(), 0, 'no pipe exists at step 0');
    await screenshot(page, 'queues-step0-declared');
    await press(page, 'ArrowRight', 60);
    await waitStep(page, 60);
    assert.ok((await pipes()) > 0, 'pipes once connected');
    assert.ok((await declared()) < atStart, 'a connected pair is no longer drawn dotted');
    assert.deepEqual(page.problems, []);
  });

  it('fits the canvas into a 390 px phone, and back to its actual size on demand', async () => {
    const page = await openPage(browser, { viewport: { width: 390, height: 900 } });
    await open(page, `${server.url}/queues?scenario=pi&seed=7&step=120`);
    await waitStep(page, 120);
    const widths = () => page.evaluate(() => {
      const svg = document.querySelector('svg.canvas').getBoundingClientRect();
      const scroll = document.querySelector('.canvas-scroll').getBoundingClientRect();
      return { svg: svg.width, scroll: scroll.width };
    });
    const fitted = await widths();
    assert.equal(await page.locator('.fit-view').getAttribute('aria-pressed'), 'true');
    assert.ok(fitted.svg <= fitted.scroll + 1, `fitted: canvas ${fitted.svg}px in ${fitted.scroll}px`);
    await screenshot(page, 'queues-390-fitted');
    await page.locator('.fit-view').click();
    assert.equal(await page.locator('.fit-view').getAttribute('aria-pressed'), 'false');
    const actual = await widths();
    assert.ok(actual.svg > actual.scroll + 50, `actual size: canvas ${actual.svg}px scrolls in ${actual.scroll}px`);
    // A wide window opens at actual size.
    const wide = await openPage(browser);
    await open(wide, `${server.url}/queues?scenario=pi&seed=7`);
    assert.equal(await wide.locator('.fit-view').getAttribute('aria-pressed'), 'false');
    assert.deepEqual(page.problems, []);
  });

  it('averages the rate and depth charts over a window its title names', async () => {
    for (const [lang, want] of [['en', /average over \d+ ms/], ['zh', /\d+ 毫秒内的平均值/]]) {
      const page = await openPage(browser);
      await open(page, `${server.url}/queues?scenario=pi&seed=7&step=600&lang=${lang}`);
      await waitStep(page, 600);
      for (const chart of ['throughput-chart', 'depth-chart']) {
        assert.match(await page.locator(`figure.${chart} figcaption`).textContent(), want);
      }
      if (lang === 'en') await screenshot(page, 'queues-charts-averaged');
      assert.deepEqual(page.problems, []);
    }
  });

  it('benchmarks (printed, not asserted; QUEUE_BENCH=1)', { skip: !process.env.QUEUE_BENCH }, async () => {
    const scenario = inflight1000Scenario();
    const page = await openPage(browser);
    await open(page, `${server.url}/queues?scenario=${encodeURIComponent(JSON.stringify(scenario))}&seed=1&step=4000`);
    await waitStep(page, 4000);
    const dots = () => page.locator('canvas.message-layer').getAttribute('data-dots').then(Number);
    const inflight = await dots();
    await page.getByRole('button', { name: /Play/ }).click();
    await page.waitForTimeout(1000);
    const fps = await countFrames(page);
    await page.getByRole('button', { name: /Pause/ }).click();
    console.log(`# in flight at start: ${inflight}; while playing: ${fps.dots}; ${(fps.frames / fps.seconds).toFixed(1)} frames/s over ${fps.seconds.toFixed(1)} s`);
    await screenshot(page, 'queues-bench-inflight');

    // Time to interactive on localhost: the canvas drawn and a step answered.
    const ttis = [];
    for (let i = 0; i < 5; i += 1) {
      const p = await openPage(browser);
      await p.goto(`${server.url}/queues`);
      await p.locator('.queue-lab g.node').first().waitFor();
      await p.getByRole('button', { name: 'Step', exact: true }).click();
      await p.locator('.queue-lab[data-step="1"]').waitFor();
      ttis.push(await p.evaluate(() => performance.now()));
      await p.close();
    }
    console.log(`# time to interactive (ms): ${ttis.map((t) => t.toFixed(0)).join(', ')}`);

    // The engine in wasm vs native, same workload and digest.
    for (const [name, events] of [['pi', 2000000], ['pipeline', 2000000], ['fanout100', 2000000]]) {
      const runs = [];
      for (let i = 0; i < 3; i += 1) {
        runs.push(await page.evaluate(([n, e]) => {
          const t0 = performance.now();
          const r = JSON.parse(window.wasmBindings.queue_lab_workload(n, 1, e));
          return { ms: performance.now() - t0, r };
        }, [name, events]));
      }
      const best = runs.reduce((a, b) => (a.ms < b.ms ? a : b));
      const t0 = process.hrtime.bigint();
      const native = sim(name, 1, events);
      const nativeMs = Number(process.hrtime.bigint() - t0) / 1e6;
      assert.equal(best.r.trace_digest, native.trace_digest, `${name}: same trace in wasm and native`);
      console.log(`# ${name}: wasm in Chromium ${(events / best.ms / 1000).toFixed(2)} M events/s (best of 3, ${best.ms.toFixed(0)} ms); native whole process ${(events / nativeMs / 1000).toFixed(2)} M events/s (${nativeMs.toFixed(0)} ms); digest ${best.r.trace_digest}`);
    }
  });
});
