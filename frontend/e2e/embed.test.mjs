// Widgets as a course page meets them: the /embed routes without chrome,
// their URL parameters, the example course page, and the static build
// served by a plain file server with no Fanout server running.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, openPage, screenshot, startServer } from './harness.mjs';

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
