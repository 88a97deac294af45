// The cache lab observing a real memcached (`fanout serve
// --observe-memcached HOST:PORT`): Debian's memcached runs beside Fanout,
// the test writes to it as an outside client would, and the page shows
// that server as an extra, read-only card after Fanout's own nodes, with
// the key that was there before (lru_crawler metadump), the new keys and
// the operations live (watch), in English and Chinese; when the server
// goes away the card says it is unreachable. No timing thresholds: every
// wait is for a condition, with a generous deadline.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { E2E_OUT, launchBrowser, memcached, openPage, screenshot, startServer } from './harness.mjs';

const MEMCACHED = process.env.FANOUT_MEMCACHED;
const skip = MEMCACHED ? false : 'FANOUT_MEMCACHED is not set (`cargo xtask test` sets it)';

/** A loopback port nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts connections on `port`. */
async function waitForPort(port) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const open = await new Promise((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      socket.on('connect', () => { socket.end(); resolve(true); });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts Debian's memcached on a free loopback port. */
async function startMemcached() {
  const port = await freePort();
  const args = ['-l', '127.0.0.1', '-p', String(port), '-U', '0', '-m', '16', '-t', '2'];
  // memcached refuses to run as root without being told whom to be.
  if (process.getuid?.() === 0) args.push('-u', 'root');
  const child = spawn(MEMCACHED, args, { stdio: 'ignore' });
  await waitForPort(port);
  return {
    addr: `127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('the cache lab observing a real memcached', { skip }, () => {
  let real;
  let server;
  let browser;

  before(async () => {
    real = await startMemcached();
    // There before Fanout starts: only lru_crawler metadump can show it.
    assert.equal(await memcached(real.addr, 'set before:1 0 0 3\r\nold\r\n'), 'STORED\r\n');
    server = await startServer(['--cache-nodes', '2', '--observe-memcached', real.addr]);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await real?.stop();
  });

  it('shows its keys and live operations beside the nodes, read-only, and says when it is gone', async () => {
    const page = await openPage(browser, { viewport: { width: 1280, height: 1000 } });
    await page.goto(`${server.url}/cache`);
    const card = page.locator('[data-testid="observed-node"]');
    await card.waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-testid="cache-node"]').count(), 2, "Fanout's own nodes stay");
    assert.equal(await card.getAttribute('data-addr'), real.addr);
    assert.equal(await card.getAttribute('data-node'), '2');
    assert.match(await card.locator('h3').innerText(), /Real memcached/);
    assert.match(await card.locator('.addr').innerText(), new RegExp(real.addr.replace(/\./g, '\\.')));
    await card.locator('[data-testid="observed-link"][data-link="watching"]').waitFor({ timeout: 20_000 });
    await card.locator('li[data-key="before:1"]').waitFor({ timeout: 20_000 });

    // An outside client writes to the real memcached and reads from it.
    assert.equal(await memcached(real.addr, 'set lesson:1 0 300 5\r\nhello\r\n'), 'STORED\r\n');
    assert.equal(await memcached(real.addr, 'set lesson:2 0 0 5\r\nworld\r\n'), 'STORED\r\n');
    assert.match(await memcached(real.addr, 'get lesson:1\r\n', /END\r\n$/), /hello/);
    assert.equal(await memcached(real.addr, 'get nobody-home\r\n', /END\r\n$/), 'END\r\n');
    for (const key of ['lesson:1', 'lesson:2', 'before:1']) {
      await card.locator(`.keys li[data-key="${key}"]`).waitFor({ timeout: 20_000 });
    }
    const feed = card.locator('.feed');
    await feed.locator('li[data-kind="set"]', { hasText: 'lesson:2' }).waitFor({ timeout: 20_000 });
    await feed.locator('li[data-kind="hit"]', { hasText: 'lesson:1' }).waitFor({ timeout: 20_000 });
    await feed.locator('li[data-kind="miss"]', { hasText: 'nobody-home' }).waitFor({ timeout: 20_000 });
    // In the order they happened, newest first (memcached's logger writes
    // each worker thread's lines in turn; the server puts them back in
    // gid order), without the lookups the sets made, every one from
    // outside this tab.
    const rows = await feed.locator('li').evaluateAll((rows) => rows.map((row) => ({
      kind: row.dataset.kind, key: row.querySelector('.k').textContent, who: row.dataset.who,
    })));
    assert.deepEqual(rows.map((row) => `${row.kind} ${row.key}`),
      ['miss nobody-home', 'hit lesson:1', 'set lesson:2', 'set lesson:1']);
    assert.ok(rows.every((row) => row.who === 'outside'), JSON.stringify(rows));
    // A real memcached's segmented LRU has no strict "next out".
    assert.equal(await card.locator('.next-out').count(), 0);
    // The counters are the real server's own `stats`.
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="observed-node"] [data-stat="items"]')?.textContent) === 3,
      null,
      { timeout: 20_000 },
    );
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="observed-node"] [data-stat="hits"]')?.textContent) >= 1,
      null,
      { timeout: 20_000 },
    );

    // Read-only: no limit, flush or restart, and not offered to "Try it".
    assert.equal(await card.locator('button').count(), 0);
    assert.equal(await page.locator('[data-testid="try-it"] select option[value="2"]').count(), 0);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'observe-memcached');
    // The nodes panel alone, at full size, to read the card.
    await page.locator('[data-testid="cache-nodes"]').screenshot({ path: join(E2E_OUT, 'observe-memcached-nodes.png') });

    // The same card in Chinese.
    const zh = await openPage(browser, { viewport: { width: 1280, height: 1000 } });
    await zh.goto(`${server.url}/cache?lang=zh`);
    const zhCard = zh.locator('[data-testid="observed-node"]');
    await zhCard.locator('.keys li[data-key="lesson:1"]').waitFor({ timeout: 20_000 });
    assert.match(await zhCard.locator('h3').innerText(), /真实的 memcached/);
    await zhCard.locator('[data-testid="observed-link"]', { hasText: '观察中' }).waitFor({ timeout: 20_000 });
    await screenshot(zh, 'observe-memcached-zh');
    assert.deepEqual(zh.problems, []);

    // The real server goes away: the card says so.
    await real.stop();
    await card.locator('[data-testid="observed-link"][data-link="unreachable"]').waitFor({ timeout: 30_000 });
    assert.match(await card.locator('[data-testid="observed-link"]').innerText(), /unreachable/);
    await card.screenshot({ path: join(E2E_OUT, 'observe-memcached-unreachable.png') });
    assert.deepEqual(page.problems, []);
  });
});
