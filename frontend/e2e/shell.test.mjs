// Smoke tests of the app shell against the real server: the shell renders,
// the badge turns "connected", and the WebSocket protocol answers malformed
// frames with an error while staying usable.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, screenshot, startServer } from './harness.mjs';

describe('app shell', () => {
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

  it('redirects / to the queue lab and shows the header', async () => {
    const page = await openPage(browser);
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/queues$/);
    assert.equal(await page.locator('.brand').textContent(), 'Fanout');
    const labs = await page.locator('header nav a').allTextContents();
    assert.deepEqual(labs, ['Queues', 'Cache', 'Shards', 'Tasks', 'Reliability']);
    assert.equal(await page.locator('h1').textContent(), 'Queue lab');
    assert.equal(await page.locator('header nav a[aria-current="page"]').textContent(), 'Queues');
    assert.deepEqual(page.problems, []);
  });

  it('turns the badge to "connected"', async () => {
    const page = await openPage(browser);
    await page.goto(`${server.url}/queues`);
    const badge = page.locator('.link-badge');
    await badge.and(page.locator('[data-state="connected"]')).waitFor({ timeout: 10_000 });
    assert.equal((await badge.textContent()).trim(), 'connected');
    await screenshot(page, 'shell-queues-connected');
    assert.deepEqual(page.problems, []);
  });

  for (const [path, heading] of [['/cache', 'Cache lab'], ['/shards', 'Shard lab'], ['/reliability', 'Reliability lab']]) {
    it(`renders ${path} from a direct link`, async () => {
      const page = await openPage(browser);
      await page.goto(`${server.url}${path}`);
      assert.equal(await page.locator('h1').textContent(), heading);
      await page.locator('.link-badge[data-state="connected"]').waitFor({ timeout: 10_000 });
      await screenshot(page, `shell${path.replace('/', '-')}`);
      assert.deepEqual(page.problems, []);
    });
  }

  it('loads only the wasm of the lab it shows, and links to the others', async () => {
    // Each lab is its own wasm (frontend/src/bin/), so a page downloads one
    // lab rather than all of them; moving between labs is a page load.
    const page = await openPage(browser);
    const wasms = [];
    page.on('request', (request) => {
      const name = request.url().match(/\/(fanout-[a-z]+)-[0-9a-f]+_bg\.wasm$/)?.[1];
      if (name) wasms.push(name);
    });
    await page.goto(`${server.url}/queues`);
    await page.locator('.link-badge[data-state="connected"]').waitFor({ timeout: 10_000 });
    assert.deepEqual(wasms, ['fanout-queues']);
    await page.getByRole('link', { name: 'Cache' }).click();
    await page.waitForURL(/\/cache$/);
    assert.equal(await page.locator('h1').textContent(), 'Cache lab');
    assert.equal(await page.locator('header nav a[aria-current="page"]').textContent(), 'Cache');
    assert.deepEqual(wasms, ['fanout-queues', 'fanout-cache']);
    await page.goto(`${server.url}/embed/shards`);
    await page.locator('main.widget h1').waitFor();
    assert.equal(await page.locator('header').count(), 0, 'a widget has no site header');
    assert.deepEqual(wasms, ['fanout-queues', 'fanout-cache', 'fanout-shards']);
    await page.goto(`${server.url}/no-such-lab`);
    await page.locator('main h1').waitFor();
    assert.equal(await page.locator('header nav a[aria-current="page"]').count(), 0);
    assert.deepEqual(await page.locator('main a').allTextContents(), ['Queues', 'Cache', 'Shards', 'Tasks', 'Reliability']);
    await screenshot(page, 'shell-not-found');
    assert.deepEqual(page.problems, []);
  });

  it('speaks Chinese with ?lang=zh and remembers a switch back to English', async () => {
    const page = await openPage(browser);
    await page.goto(`${server.url}/queues?lang=zh`);
    await page.locator('.link-badge[data-state="connected"]').waitFor({ timeout: 10_000 });
    assert.deepEqual(await page.locator('header nav a').allTextContents(), ['消息队列', '缓存', '分片', '任务', '可靠性']);
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    assert.equal((await page.locator('.link-badge').textContent()).trim(), '已连接');
    await screenshot(page, 'shell-queues-zh');
    await page.getByRole('button', { name: 'English' }).click();
    assert.deepEqual(await page.locator('header nav a').allTextContents(), ['Queues', 'Cache', 'Shards', 'Tasks', 'Reliability']);
    await page.goto(`${server.url}/cache`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.deepEqual(page.problems, []);
  });

  it('serves the bundle gzipped ahead of time, identical once unpacked', async () => {
    const html = await (await fetch(`${server.url}/queues`)).text();
    const wasm = html.match(/\/[\w-]+_bg\.wasm/)?.[0];
    assert.ok(wasm, `the app shell names its wasm: ${html.slice(0, 400)}`);
    const plain = Buffer.from(await (await fetch(`${server.url}${wasm}`, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer());
    // The server gzips its bundle in the background as it starts; until
    // then the same file is gzipped on the fly, streamed without a length.
    let response;
    for (let i = 0; i < 100; i += 1) {
      response = await fetch(`${server.url}${wasm}`, { headers: { 'accept-encoding': 'gzip' } });
      if (response.headers.get('content-length')) break;
      await response.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(response.headers.get('content-encoding'), 'gzip');
    const sent = Number(response.headers.get('content-length'));
    assert.ok(sent > 0 && sent < plain.length / 2, `${sent} gzipped bytes for ${plain.length}`);
    // fetch unpacks it: the same bytes as the plain answer.
    const unpacked = Buffer.from(await response.arrayBuffer());
    assert.ok(unpacked.equals(plain), 'the gzipped wasm unpacks to the same bytes');
  });

  it('answers a malformed frame with an error and keeps the socket usable', async () => {
    const page = await openPage(browser);
    await page.goto(`${server.url}/queues`);
    const replies = await page.evaluate(async () => {
      const socket = new WebSocket(`ws://${location.host}/ws`);
      const received = [];
      const next = () => new Promise((resolve) => {
        socket.addEventListener('message', (event) => resolve(JSON.parse(event.data)), { once: true });
      });
      await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
      socket.send(JSON.stringify({ type: 'hello', protocol: 1 }));
      received.push(await next());
      socket.send('{"type": "ping", "id": "seven"}');
      received.push(await next());
      socket.send('this is not json');
      received.push(await next());
      socket.send(JSON.stringify({ type: 'ping', id: 7 }));
      received.push(await next());
      socket.close();
      return received;
    });
    assert.equal(replies[0].type, 'welcome');
    assert.equal(replies[0].protocol, 1);
    assert.equal(replies[1].type, 'error');
    assert.equal(replies[1].field, 'id');
    assert.equal(replies[2].type, 'error');
    assert.match(replies[2].message, /not valid JSON/);
    assert.deepEqual(replies[3], { type: 'pong', id: 7 });
  });

  it('says "offline" when the server goes away, and the cache lab says it needs one', async () => {
    const lonely = await startServer();
    const page = await openPage(browser);
    await page.goto(`${lonely.url}/cache`);
    await page.locator('.link-badge[data-state="connected"]').waitFor({ timeout: 10_000 });
    await lonely.stop();
    await page.locator('.link-badge[data-state="offline"]').waitFor({ timeout: 10_000 });
    const notice = page.locator('[data-needs-server="missing"]');
    await notice.waitFor();
    assert.match(await notice.textContent(), /cargo xtask run/);
    await screenshot(page, 'shell-cache-offline');
  });
});
