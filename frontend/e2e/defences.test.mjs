// What a page from another site can no longer do to a learner's Fanout, in
// real headless Chromium: a page served by a tiny Node server on another
// port (another origin) POSTs memcached commands to a cache node (the node
// hangs up on the request line, and a real `get` finds nothing stored) and
// opens a WebSocket to Fanout (refused with 403, and the server's log names
// the origin). Started with `--allow-origin` for that origin, the same
// page's WebSocket is welcomed; the app's own pages keep working (this file
// checks one, the rest of the suite checks them all).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { launchBrowser, memcached, openPage, screenshot, startServer } from './harness.mjs';

/** Serves one harmless page on a free port: the other site. */
async function otherSite() {
  const server = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!doctype html><title>Some other site</title><h1>Some other site</h1>');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * From inside `page`: POSTs `set pwned …` to the cache node at `node`
 * (host:port), and opens a WebSocket to `wsUrl`, saying hello if it opens.
 * Resolves with what happened to each.
 */
function attack(page, node, wsUrl) {
  return page.evaluate(async ({ node, wsUrl }) => {
    let post;
    try {
      await fetch(`http://${node}/`, {
        method: 'POST',
        mode: 'no-cors',
        body: 'set pwned 0 0 3\r\nyes\r\n',
      });
      post = 'answered';
    } catch (error) {
      post = `failed: ${error.message}`;
    }
    const ws = await new Promise((resolve) => {
      const socket = new WebSocket(wsUrl);
      const done = (outcome) => {
        resolve(outcome);
        socket.close();
      };
      socket.onopen = () => socket.send(JSON.stringify({ type: 'hello', protocol: 1 }));
      socket.onmessage = (event) => done(`welcomed: ${JSON.parse(event.data).type}`);
      socket.onerror = () => done('refused');
      socket.onclose = (event) => done(`closed ${event.code}`);
    });
    return { post, ws };
  }, { node, wsUrl });
}

describe('defences against other sites', () => {
  let browser;
  let site;

  before(async () => {
    browser = await launchBrowser();
    site = await otherSite();
  });

  after(async () => {
    await browser?.close();
    await site?.close();
  });

  it('another site cannot store through a cache node or open the WebSocket', async () => {
    const server = await startServer();
    try {
      const node = server.cacheNodes[0];
      const wsUrl = `${server.url.replace('http://', 'ws://')}/ws`;
      const page = await openPage(browser);
      await page.goto(`${site.origin}/`);
      const result = await attack(page, node, wsUrl);
      // The page learns nothing (a node's ERROR lines would not be HTTP
      // either) and, what matters, nothing was stored.
      assert.match(result.post, /^failed/);
      assert.equal(await memcached(node, 'get pwned\r\n'), 'END\r\n', 'nothing was stored');
      assert.equal(result.ws, 'refused');
      // The refusal is logged with the origin that was refused.
      const deadline = Date.now() + 10_000;
      while (!server.stderr().includes(site.origin) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.match(server.stderr(), /refused a WebSocket handshake from another origin/);
      assert.ok(server.stderr().includes(`--allow-origin ${site.origin}`), server.stderr());

      // The app's own page, from the server's own origin, still connects.
      const own = await openPage(browser);
      await own.goto(`${server.url}/cache`);
      await own.locator('[data-testid="cache-mode"][data-mode="live"]').waitFor({ state: 'attached', timeout: 10_000 });
      await own.locator('[data-testid="cache-node"]').first().waitFor();
      await screenshot(own, 'defences-own-origin');
      assert.deepEqual(own.problems, []);
    } finally {
      await server.stop();
    }
  });

  it('an origin given with --allow-origin may open the WebSocket, and still cannot store', async () => {
    const server = await startServer(['--allow-origin', site.origin]);
    try {
      const node = server.cacheNodes[0];
      const wsUrl = `${server.url.replace('http://', 'ws://')}/ws`;
      const page = await openPage(browser);
      await page.goto(`${site.origin}/`);
      const result = await attack(page, node, wsUrl);
      assert.equal(result.ws, 'welcomed: welcome');
      assert.match(result.post, /^failed/);
      assert.equal(await memcached(node, 'get pwned\r\n'), 'END\r\n');
      assert.doesNotMatch(server.stderr(), /refused a WebSocket handshake/);
    } finally {
      await server.stop();
    }
  });
});
