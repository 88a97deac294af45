// The cache lab against the real server: it lists the nodes by address and
// shows what outside memcached clients do to them.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'node:net';
import { launchBrowser, openPage, screenshot, startServer } from './harness.mjs';

/** Sends raw memcached text to `host:port` and resolves with the reply. */
function memcached(addr, request, until = /\r\n$/) {
  const [host, port] = addr.split(':');
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port: Number(port) });
    let reply = '';
    socket.on('data', (chunk) => {
      reply += chunk;
      if (until.test(reply)) {
        socket.end();
        resolve(reply);
      }
    });
    socket.on('error', reject);
    socket.write(request);
  });
}

describe('cache lab', () => {
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

  it('lists every node by its memcached address', async () => {
    const page = await openPage(browser);
    await page.goto(`${server.url}/cache`);
    const rows = page.locator('[data-testid="cache-nodes"] tbody tr');
    await rows.nth(server.cacheNodes.length - 1).waitFor({ timeout: 10_000 });
    const addresses = await rows.locator('code').allTextContents();
    assert.deepEqual(addresses, server.cacheNodes);
    assert.deepEqual(page.problems, []);
  });

  it('shows a key written over TCP by an outside client', async () => {
    const page = await openPage(browser);
    await page.goto(`${server.url}/cache`);
    const items = page.locator('[data-testid="cache-nodes"] tr[data-node="1"] td.items');
    await items.waitFor({ timeout: 10_000 });
    const before = Number(await items.textContent());
    assert.equal(await memcached(server.cacheNodes[1], 'set sq:12 0 0 3\r\n144\r\n'), 'STORED\r\n');
    await page.waitForFunction(
      (expected) => document.querySelector('[data-testid="cache-nodes"] tr[data-node="1"] td.items')?.textContent === String(expected),
      before + 1,
      { timeout: 5_000 },
    );
    await screenshot(page, 'cache-outside-client');
    assert.deepEqual(page.problems, []);
  });
});
