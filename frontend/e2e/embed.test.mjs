// Widgets as a course page meets them: the /embed routes without chrome,
// their URL parameters (scenario, seed, step, speed, autoplay, controls,
// from/to, theme, lang), the postMessage API driven from a host page on
// another origin (commands in, step/pi/hit_ratio events out), the Embed
// button's snippet pasted into a host page, the example course page, and
// the static build served by a plain file server with no Fanout server
// running. Screenshots of the Embed panel and the course page go to
// target/e2e/.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { E2E_OUT, launchBrowser, memcached, openPage, screenshot, startServer } from './harness.mjs';

const SITE = process.env.FANOUT_SITE ?? 'target/site';

/** Serves `dir` with Python's plain static file server on a free port. */
async function staticServer(dir) {
  const python = process.env.FANOUT_PYTHON ?? 'python3';
  const child = spawn(python, ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`http.server did not start: ${out}`)), 10_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/port (\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${match[1]}`);
      }
    });
  });
  return { url, stop: () => child.kill() };
}

/**
 * A course page's own server, on another port than Fanout's (so widgets
 * are framed cross-origin, as on a real course site). `page(path, html)`
 * publishes a page and returns its address.
 */
async function hostServer() {
  const pages = new Map();
  const server = createServer((request, response) => {
    const html = pages.get(request.url.split('?')[0]);
    if (html === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    page(path, html) {
      pages.set(path, html);
      return `${url}${path}`;
    },
    stop() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A host page around `body` (which holds one iframe): it keeps every
 * Fanout event from that iframe in `window.events` (checking the sender,
 * as docs/embedding.md tells course pages to) and sends commands with
 * `window.send({command: …})`.
 */
function hostHtml(body) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>A course page</title>
<script>
  window.events = [];
  window.addEventListener('message', function (event) {
    var frame = document.querySelector('iframe');
    if (!frame || event.source !== frame.contentWindow) return;
    if (!event.data || event.data.fanout !== 1) return;
    window.events.push(event.data);
  });
  window.send = function (message) {
    document.querySelector('iframe').contentWindow.postMessage(Object.assign({ fanout: 1 }, message), '*');
  };
</script></head>
<body style="margin:16px;font-family:sans-serif"><h1>Lesson</h1>${body}</body></html>`;
}

/** Waits until the host page has received an event satisfying `test` (JS over `e`), and returns it. */
async function waitEvent(page, test) {
  const handle = await page.waitForFunction(
    (test) => window.events.find((e) => new Function('e', `return ${test};`)(e)),
    test,
    { timeout: 15_000 },
  );
  return handle.jsonValue();
}

/** The queue lab's state as its data attributes say. */
async function queueState(locator) {
  return {
    step: Number(await locator.getAttribute('data-step')),
    digest: await locator.getAttribute('data-digest'),
    playing: await locator.getAttribute('data-playing'),
  };
}

/** Opens a queue lab (app or widget) and waits until it is drawn. */
async function openQueues(page, url) {
  await page.goto(url);
  await page.locator('.queue-lab[data-step]').waitFor({ timeout: 15_000 });
  await page.locator('.queue-lab g.node').first().waitFor({ timeout: 15_000 });
  return page.locator('.queue-lab');
}

describe('widgets', () => {
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

  for (const lab of ['queues', 'cache', 'shards']) {
    it(`/embed/${lab} renders the lab without the site header`, async () => {
      const page = await openPage(browser, { viewport: { width: 360, height: 640 } });
      await page.goto(`${server.url}/embed/${lab}?theme=dark&lang=zh`);
      await page.locator('main.widget .lab').waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('.site-header').count(), 0);
      assert.equal(await page.locator('[data-testid="embed-button"]').count(), 0, 'a widget offers no Embed button');
      assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
      assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the widget is ${overflow}px wider than a 360px frame`);
      await screenshot(page, `embed-${lab}-360-dark-zh`);
      assert.deepEqual(page.problems, []);
    });
  }

  it('the full app keeps its header and refuses to be framed', async () => {
    const page = await openPage(browser);
    const response = await page.goto(`${server.url}/queues`);
    assert.equal(response.headers()['x-frame-options'], 'DENY');
    await page.locator('.queue-lab').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('.site-header').count(), 1);
  });

  for (const lang of ['en', 'zh']) {
    it(`the example course page renders all its widgets (${lang})`, async () => {
      const page = await openPage(browser, { viewport: { width: 1000, height: 900 } });
      await page.goto(`${server.url}/course-example?lang=${lang}`);
      const frames = page.locator('iframe');
      const count = await frames.count();
      assert.ok(count >= 3, `${count} widgets`);
      for (let i = 0; i < count; i += 1) {
        await frames.nth(i).scrollIntoViewIfNeeded();
        const frame = page.frameLocator('iframe').nth(i);
        await frame.locator('main.widget .lab').waitFor({ timeout: 15_000 });
        assert.equal(await frame.locator('html').getAttribute('lang'), lang === 'zh' ? 'zh-CN' : 'en');
      }
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, `course-example-${lang}`);
      assert.deepEqual(page.problems, []);
    });
  }

  it('the static build works from a plain file server with Fanout stopped', async (t) => {
    if (!existsSync(join(SITE, 'index.html'))) {
      t.skip(`no static build at ${SITE}: run cargo xtask build first`);
      return;
    }
    const files = await staticServer(SITE);
    try {
      const page = await openPage(browser);
      await page.goto(`${files.url}/embed/queues/?scenario=pi`);
      await page.locator('main.widget .lab').waitFor({ timeout: 15_000 });
      await page.goto(`${files.url}/cache/`);
      await page.locator('.link-badge[data-state="offline"]').waitFor({ timeout: 15_000 });
      const notice = page.locator('[data-needs-server="missing"]');
      await notice.waitFor();
      assert.match(await notice.textContent(), /\?server=HOST:PORT/);
      await screenshot(page, 'static-site-cache-offline');
      const course = await openPage(browser);
      await course.goto(`${files.url}/course-example/?lang=en`);
      await course.frameLocator('iframe').first().locator('main.widget .lab').waitFor({ timeout: 15_000 });
    } finally {
      files.stop();
    }
  });
});

describe('widget parameters, lock and postMessage', () => {
  let server;
  let browser;
  let host;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    host = await hostServer();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await host?.stop();
  });

  it('/embed/queues opens the scenario, seed and step it is given, with its speed, theme and language', async () => {
    const page = await openPage(browser);
    const app = await queueState(await openQueues(page, `${server.url}/queues?scenario=pipeline&seed=3&step=25`));
    const other = await queueState(await openQueues(page, `${server.url}/queues?scenario=pipeline&seed=4&step=25`));
    assert.notEqual(app.digest, other.digest, 'the seed matters');
    const widget = await openQueues(page, `${server.url}/embed/queues?scenario=pipeline&seed=3&step=25&speed=10&theme=light&lang=en&controls=min`);
    assert.deepEqual(await queueState(widget), { ...app, playing: 'false' });
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'light');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.locator('.queue-controls .speed select').inputValue(), '10');
    // `min`: play/pause and step, not the seed, the scrubber or the panels.
    assert.equal(await page.locator('.queue-controls button.play').count(), 1);
    assert.equal(await page.locator('.queue-controls button.step').count(), 1);
    assert.equal(await page.locator('.queue-controls form.seed').count(), 0);
    assert.equal(await page.locator('.queue-controls .scrubber').count(), 0);
    await openQueues(page, `${server.url}/embed/queues?scenario=pipeline&seed=3&controls=full&lang=zh`);
    assert.equal(await page.locator('.queue-controls form.seed').count(), 1);
    assert.equal(await page.locator('.queue-controls .scrubber').count(), 1);
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    assert.deepEqual(page.problems, []);
  });

  it('autoplay=1 starts playing on load; without it the widget waits', async () => {
    const page = await openPage(browser);
    const still = await openQueues(page, `${server.url}/embed/queues?scenario=pi&seed=1`);
    assert.equal((await queueState(still)).step, 0);
    assert.equal((await queueState(still)).playing, 'false');
    const playing = await openQueues(page, `${server.url}/embed/queues?scenario=pi&seed=1&autoplay=1&speed=100`);
    await page.waitForFunction(() => Number(document.querySelector('.queue-lab').dataset.step) > 0, null, { timeout: 15_000 });
    assert.ok((await queueState(playing)).step > 0);
    assert.deepEqual(page.problems, []);
  });

  it('controls=none shows no controls at all (the host page drives it)', async () => {
    const page = await openPage(browser, { viewport: { width: 360, height: 640 } });
    await openQueues(page, `${server.url}/embed/queues?scenario=pi&seed=7&controls=none`);
    assert.equal(await page.locator('[role="toolbar"], .queue-controls').count(), 0);
    assert.equal(await page.locator('button.play, button.step, button.back, form.seed, input[type="range"]').count(), 0);
    assert.equal(await page.locator('.inspector, .event-log, .queue-editor').count(), 0);
    await screenshot(page, 'embed-queues-controls-none-360');
    assert.deepEqual(page.problems, []);
  });

  it('from/to locks playing, stepping, stepping back and seeking to the range', async () => {
    const page = await openPage(browser);
    const lab = await openQueues(page, `${server.url}/embed/queues?scenario=pi&seed=1&from=10&to=20&speed=10`);
    assert.equal((await queueState(lab)).step, 10, 'opens at `from`');
    await page.locator('.queue-controls button.play').click();
    await page.locator('.queue-lab[data-step="20"][data-playing="false"]').waitFor({ timeout: 15_000 });
    assert.equal((await queueState(lab)).step, 20, 'playing stops at `to`');
    const step = page.locator('.queue-controls button.step');
    assert.ok(await step.isDisabled(), 'Step is disabled at `to`');
    assert.ok(await page.locator('.queue-controls button.play').isDisabled(), 'Play is disabled at `to`');
    await page.evaluate(() => document.activeElement?.blur());
    for (let i = 0; i < 3; i += 1) await page.keyboard.press('ArrowRight');
    assert.equal((await queueState(lab)).step, 20, 'the → key stops at `to`');
    for (let i = 0; i < 15; i += 1) await page.keyboard.press('ArrowLeft');
    assert.equal((await queueState(lab)).step, 10, 'the ← key stops at `from`');
    assert.ok(await page.locator('.queue-controls button.back').isDisabled(), 'Step back is disabled at `from`');
    for (let i = 0; i < 4; i += 1) await step.click();
    assert.equal((await queueState(lab)).step, 14);
    const scrub = async (where) => page.locator('.queue-controls .scrubber input').evaluate((input, where) => {
      input.value = where === 'end' ? input.max : input.min;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      return [Number(input.min), Number(input.max)];
    }, where);
    const [min, max] = await scrub('end');
    assert.deepEqual([min, max], [10, 20], 'the scrubber spans the range');
    assert.equal((await queueState(lab)).step, 20);
    await scrub('start');
    assert.equal((await queueState(lab)).step, 10);
    // A link into the run outside the range opens at the range's edge.
    const late = await openQueues(page, `${server.url}/embed/queues?scenario=pi&seed=1&from=10&to=20&step=500`);
    assert.equal((await queueState(late)).step, 20);
    assert.equal(await page.locator('.queue-controls .scrubber input').getAttribute('max'), '20');
    const early = await openQueues(page, `${server.url}/embed/queues?scenario=pi&seed=1&from=10&to=20&step=3`);
    assert.equal((await queueState(early)).step, 10);
    assert.deepEqual(page.problems, []);
  });

  it('a host page drives the queue widget with play, pause, step, seek and load, and hears its events', async () => {
    const url = host.page('/drive.html', hostHtml(
      `<iframe src="${server.url}/embed/queues?scenario=pi&seed=7&controls=none&to=2000&speed=0.1" title="Fanout queue lab: pi" width="760" height="520"></iframe>`,
    ));
    const page = await openPage(browser);
    await page.goto(url);
    const frame = page.frameLocator('iframe');
    const lab = frame.locator('.queue-lab');
    await lab.waitFor({ timeout: 15_000 });
    assert.deepEqual(await waitEvent(page, `e.event === 'ready'`), { fanout: 1, event: 'ready', lab: 'queues' });
    await waitEvent(page, `e.event === 'step' && e.step === 0`);

    await page.evaluate(() => window.send({ command: 'step' }));
    await waitEvent(page, `e.event === 'step' && e.step === 1`);
    await page.evaluate(() => window.send({ command: 'step' }));
    const second = await waitEvent(page, `e.event === 'step' && e.step === 2`);
    assert.ok(Number.isInteger(second.time_us) && second.time_us >= 0);
    assert.equal(await lab.getAttribute('data-step'), '2');
    assert.equal(await lab.getAttribute('data-time'), String(second.time_us));

    await page.evaluate(() => window.send({ command: 'seek', step: 300 }));
    await waitEvent(page, `e.event === 'step' && e.step === 300`);
    const pi = await waitEvent(page, `e.event === 'pi'`);
    assert.ok(pi.samples > 0 && pi.pi > 2 && pi.pi < 4.5, JSON.stringify(pi));
    // Seeking past `to` lands on `to`, and says so.
    await page.evaluate(() => window.send({ command: 'seek', step: 5000 }));
    await waitEvent(page, `e.event === 'step' && e.step === 2000`);
    await page.evaluate(() => window.send({ command: 'seek', step: 100 }));
    await waitEvent(page, `e.event === 'step' && e.step === 100`);

    // Playing moves the run with no further command (it may even reach
    // `to` before the pause arrives, so only the events are waited for).
    await page.evaluate(() => window.send({ command: 'play' }));
    await waitEvent(page, `e.event === 'step' && e.step > 100`);
    await page.evaluate(() => window.send({ command: 'pause' }));
    await frame.locator('.queue-lab[data-playing="false"]').waitFor({ timeout: 15_000 });
    // Paused: the widget's last step event is where it stands, and a step
    // goes exactly one further.
    const paused = Number(await lab.getAttribute('data-step'));
    const last = await page.evaluate(() => window.events.filter((e) => e.event === 'step').at(-1).step);
    assert.equal(last, paused);
    await page.evaluate(() => window.send({ command: 'step' }));
    await waitEvent(page, `e.event === 'step' && e.step === ${paused + 1}`);

    await page.evaluate(() => window.send({ command: 'load', scenario: 'pipeline', seed: 3 }));
    await waitEvent(page, `e.event === 'step' && e.step === 0`);
    const fresh = await openPage(browser);
    const expected = await queueState(await openQueues(fresh, `${server.url}/queues?scenario=pipeline&seed=3`));
    assert.equal(await lab.getAttribute('data-digest'), expected.digest);

    // Not for the widget: ignored without a word.
    await page.evaluate(() => {
      document.querySelector('iframe').contentWindow.postMessage({ command: 'play' }, '*');
      document.querySelector('iframe').contentWindow.postMessage('play', '*');
    });
    await page.evaluate(() => window.send({ command: 'step' }));
    await waitEvent(page, `e.event === 'step' && e.step === 1`);
    assert.equal(await lab.getAttribute('data-playing'), 'false');
    assert.deepEqual(page.problems, []);
  });

  it('the cache widget tells its host page each node\'s hit ratio', async () => {
    const url = host.page('/cache.html', hostHtml(
      `<iframe src="${server.url}/embed/cache?lang=en" title="Fanout cache lab" width="760" height="560"></iframe>`,
    ));
    const page = await openPage(browser);
    await page.goto(url);
    const frame = page.frameLocator('iframe');
    await frame.locator('[data-testid="cache-node"][data-node="0"]').waitFor({ timeout: 15_000 });
    await waitEvent(page, `e.event === 'ready' && e.lab === 'cache'`);
    assert.deepEqual(await page.evaluate(() => window.events.filter((e) => e.event === 'hit_ratio')), [], 'no reads, no ratio');
    // An outside client (as the chapter's Python would): one hit, one miss.
    await memcached(
      server.cacheNodes[0],
      'set embed-key 0 0 5\r\nhello\r\nget embed-key\r\nget embed-missing\r\n',
      /END\r\n[\s\S]*END\r\n$/,
    );
    const event = await waitEvent(page, `e.event === 'hit_ratio' && e.node === 0 && e.hits === 1 && e.misses === 1`);
    assert.deepEqual(event, { fanout: 1, event: 'hit_ratio', node: 0, ratio: 0.5, hits: 1, misses: 1 });
    await memcached(server.cacheNodes[0], 'get embed-key\r\n', /END\r\n$/);
    const next = await waitEvent(page, `e.event === 'hit_ratio' && e.node === 0 && e.hits === 2`);
    assert.equal(next.ratio, 2 / 3);
    assert.deepEqual(page.problems, []);
  });
});

describe('the Embed button', () => {
  let server;
  let browser;
  let host;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    host = await hostServer();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await host?.stop();
  });

  /** Opens the Embed panel and returns the snippet it shows. */
  async function openPanel(page) {
    await page.locator('[data-testid="embed-button"]').click();
    const snippet = page.locator('[data-testid="embed-snippet"]');
    await snippet.waitFor();
    return snippet;
  }

  it('copies a snippet of the queue lab\'s current state that renders in a host page', async () => {
    const page = await openPage(browser);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const lab = await openQueues(page, `${server.url}/queues?scenario=pipeline&seed=3&lang=en`);
    for (let i = 0; i < 12; i += 1) await page.locator('.queue-controls button.step').click();
    const app = await queueState(lab);
    assert.equal(app.step, 12);
    const snippet = await openPanel(page);
    assert.equal(await page.locator('[data-testid="embed-button"]').getAttribute('aria-expanded'), 'true');
    await page.locator('input[name="embed-controls"][value="min"]').check();
    let html = await snippet.inputValue();
    assert.match(html, /^<iframe src="[^"]+\/embed\/queues\?[^"]*" title="Fanout queue lab: pipeline" width="760" height="520" /);
    const src = new URL(html.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&'));
    assert.equal(src.origin, server.url);
    assert.deepEqual(
      Object.fromEntries(src.searchParams),
      { scenario: 'pipeline', seed: '3', step: '12', controls: 'min', lang: 'en' },
    );
    // The snippet follows the lab: one more step, a new snippet.
    await page.locator('.queue-controls button.step').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="embed-snippet"]').value.includes('step=13'));
    await page.locator('.embed-autoplay input').check();
    assert.match(await snippet.inputValue(), /controls=min&amp;autoplay=1&amp;lang=en"/);
    await page.locator('.embed-autoplay input').uncheck();
    html = await snippet.inputValue();
    await page.locator('.embed-copy').click();
    await page.locator('.embed-status', { hasText: 'Copied.' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), html);
    await screenshot(page, 'embed-panel-queues-en');
    await page.setViewportSize({ width: 360, height: 740 });
    await page.evaluate(() => window.scrollTo(0, 0));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `the queue lab is ${overflow}px wider than 360px with the panel open`);
    await page.screenshot({ path: join(E2E_OUT, 'embed-panel-queues-360-en-screen.png') });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Pasted into a course page on another origin, it shows the same state.
    const course = await openPage(browser);
    await course.goto(host.page('/pasted-queues.html', hostHtml(html)));
    const widget = course.frameLocator('iframe').locator('.queue-lab[data-step]');
    await widget.waitFor({ timeout: 15_000 });
    assert.equal(await widget.getAttribute('data-step'), '13');
    const expected = await queueState(await openQueues(await openPage(browser), `${server.url}/queues?scenario=pipeline&seed=3&step=13`));
    assert.equal(await widget.getAttribute('data-digest'), expected.digest);
    assert.equal(await course.frameLocator('iframe').locator('.queue-controls button.play').count(), 1);
    assert.equal(await course.frameLocator('iframe').locator('.queue-controls form.seed').count(), 0);
    assert.equal(await course.locator('iframe').getAttribute('title'), 'Fanout queue lab: pipeline');
    await screenshot(course, 'embed-pasted-queues');

    // Escape closes the panel and gives the focus back to the button.
    await snippet.focus();
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('[data-testid="embed-snippet"]').count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'embed-button');
    assert.deepEqual(page.problems, []);
    assert.deepEqual(course.problems, []);
  });

  for (const lab of ['cache', 'shards']) {
    it(`the ${lab} lab's snippet (Chinese, 360 px) renders the widget in a host page`, async () => {
      const page = await openPage(browser, { viewport: { width: 360, height: 740 } });
      await page.goto(`${server.url}/${lab}?lang=zh`);
      await page.locator('.lab h1').waitFor({ timeout: 15_000 });
      const snippet = await openPanel(page);
      assert.equal(await page.locator('.embed-panel fieldset, .embed-autoplay').count(), 0, 'no play options outside the queue lab');
      await page.locator('.embed-theme select').selectOption('dark');
      const html = await snippet.inputValue();
      const title = lab === 'cache' ? 'Fanout 缓存实验' : 'Fanout 分片实验';
      assert.equal(
        html,
        `<iframe src="${server.url}/embed/${lab}?theme=dark&amp;lang=zh-CN" title="${title}" width="760" height="560" `
          + 'style="border:1px solid #d8dde3;border-radius:8px;max-width:100%" loading="lazy" allow="clipboard-write"></iframe>',
      );
      // The panel fits a 360 px screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `the page is ${overflow}px wider than 360px with the panel open`);
      const box = await page.locator('.embed-panel').boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= 360, JSON.stringify(box));
      await screenshot(page, `embed-panel-${lab}-360-zh`);
      // What a teacher on a phone sees: the screen itself, not the page.
      await page.screenshot({ path: join(E2E_OUT, `embed-panel-${lab}-360-zh-screen.png`) });

      const course = await openPage(browser, { viewport: { width: 800, height: 700 } });
      await course.goto(host.page(`/pasted-${lab}.html`, hostHtml(html)));
      const frame = course.frameLocator('iframe');
      await frame.locator(`main.widget .${lab === 'cache' ? 'cache' : 'shard'}-lab`).waitFor({ timeout: 15_000 });
      assert.equal(await frame.locator('html').getAttribute('lang'), 'zh-CN');
      assert.equal(await frame.locator('html').getAttribute('data-theme'), 'dark');
      assert.deepEqual(page.problems, []);
      assert.deepEqual(course.problems, []);
    });
  }

  it('without a clipboard, Copy selects the snippet and says how to copy it', async () => {
    const page = await openPage(browser);
    // An insecure context (a classroom server reached over http by its IP
    // address) has no navigator.clipboard.
    await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
    await page.goto(`${server.url}/shards?lang=en`);
    await page.locator('.lab h1').waitFor({ timeout: 15_000 });
    const snippet = await openPanel(page);
    await page.locator('.embed-copy').click();
    await page.locator('.embed-status', { hasText: 'press Ctrl+C' }).waitFor();
    const selection = await snippet.evaluate((area) => ({
      focused: document.activeElement === area,
      start: area.selectionStart,
      end: area.selectionEnd,
      length: area.value.length,
    }));
    assert.deepEqual(selection, { focused: true, start: 0, end: selection.length, length: selection.length });
    assert.ok(selection.length > 0);
    assert.deepEqual(page.problems, []);
  });
});
