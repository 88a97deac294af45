// The cache lab against the real server: every node by its address, keys
// written by an outside memcached client appearing live, the hands-on
// operations and the server's errors shown where the learner acted, a
// restart dropping the hit ratio to zero, the chapter's warm-up experiment
// (misses fall and the hit ratio rises run by run; a small memory limit
// levels the curve off and the lab says why), stale reads under the three
// remedies, and the same lab offline on the wasm model. No timing
// thresholds: the assertions read the per-run numbers the page shows.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, memcached, openPage, screenshot, startServer } from './harness.mjs';

const card = (page, node) => page.locator(`[data-testid="cache-node"][data-node="${node}"]`);

/** Opens the lab and waits until it shows `count` node cards. */
async function openLab(browser, url, count, options) {
  const page = await openPage(browser, options);
  await page.goto(url);
  await page.locator('[data-testid="cache-node"]').nth(count - 1).waitFor({ timeout: 10_000 });
  return page;
}

/** Waits until `selector`'s attribute `name` satisfies `test` (a JS expression over `v`). */
async function waitForAttr(page, selector, name, test, timeout = 10_000) {
  await page.waitForFunction(
    ([selector, name, test]) => {
      const element = document.querySelector(selector);
      if (!element) return false;
      const v = element.getAttribute(name);
      return new Function('v', `return ${test};`)(v);
    },
    [selector, name, test],
    { timeout },
  );
}

/** Uses the "Try it" form: `op` is get, set, delete or touch. */
async function tryIt(page, op, { node, key, value, ttl }) {
  const form = page.locator('[data-testid="try-it"]');
  if (node !== undefined) await form.locator('select').selectOption(String(node));
  if (key !== undefined) await form.locator('input[name="key"]').fill(key);
  if (value !== undefined) await form.locator('input[name="value"]').fill(value);
  if (ttl !== undefined) await form.locator('input[name="ttl"]').fill(String(ttl));
  await form.locator(`button.op-${op}:not([disabled])`).click();
}

/** The per-run numbers of the warm-up table. */
async function warmupRuns(page) {
  return page.locator('[data-testid="warmup"] table.runs tbody tr').evaluateAll((rows) => rows.map((row) => ({
    run: Number(row.dataset.run),
    hits: Number(row.dataset.hits),
    misses: Number(row.dataset.misses),
    ratio: Number(row.dataset.ratio),
    elapsedUs: Number(row.dataset.elapsedUs),
    computeMs: Number(row.dataset.computeMs),
    evictions: Number(row.dataset.evictions),
  })));
}

/** Starts the warm-up on `node` with the given form values; waits until done. */
async function runWarmup(page, { node = 0, runs, requests, cost, memory, timeout = 120_000 } = {}) {
  const panel = page.locator('[data-testid="warmup"]');
  await panel.locator('select').selectOption(String(node));
  if (runs !== undefined) await panel.locator('input[name="runs"]').fill(String(runs));
  if (requests !== undefined) await panel.locator('input[name="requests"]').fill(String(requests));
  if (cost !== undefined) await panel.locator('input[name="cost_ms"]').fill(String(cost));
  if (memory !== undefined) await panel.locator(`input[name="warmup-memory"][value="${memory}"]`).check();
  await panel.locator('button.start:not([disabled])').click();
  // No wait for "running": with no pretend cost a short experiment can be
  // over before a test would see it run. Each test opens a fresh page, so
  // "done" can only be this run's.
  await page.locator('[data-testid="warmup"][data-phase="done"]').waitFor({ timeout });
  return warmupRuns(page);
}

/** The misses fall and the hit ratio rises over the runs (no timing thresholds). */
function assertWarmsUp(runs, { requests = 2000, cost = 1 } = {}) {
  assert.equal(runs.length, 10);
  assert.deepEqual(runs.map((r) => r.run), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  for (const run of runs) {
    assert.equal(run.hits + run.misses, requests, JSON.stringify(run));
    // The cost model: misses × cost of pretend computing, within the run's time.
    assert.equal(run.computeMs, run.misses * cost, JSON.stringify(run));
    assert.ok(run.elapsedUs >= run.computeMs * 1000, JSON.stringify(run));
  }
  // The early runs differ by hundreds of misses: strictly falling.
  for (let i = 1; i < 5; i += 1) {
    assert.ok(runs[i].misses < runs[i - 1].misses, JSON.stringify(runs));
    assert.ok(runs[i].ratio > runs[i - 1].ratio, JSON.stringify(runs));
  }
  const first = runs[0];
  const last = runs[9];
  assert.ok(first.misses > 1000, JSON.stringify(first));
  assert.ok(last.misses * 5 < first.misses, JSON.stringify(runs));
  assert.ok(last.ratio > 0.85, JSON.stringify(last));
  // The time curve falls with the misses.
  assert.ok(last.elapsedUs < first.elapsedUs, JSON.stringify(runs));
}

/** Stale-data panel: reads every profile and waits for the tally. */
async function readAll(page, strategy, reads) {
  const panel = page.locator('[data-testid="staleness"]');
  await panel.locator('button.read-all:not([disabled])').click();
  await waitForAttr(page, `[data-testid="staleness"] tr[data-strategy="${strategy}"]`, 'data-reads', `v === '${reads}'`);
  await panel.locator('button.read-all:not([disabled])').waitFor();
}

async function staleCount(page, strategy) {
  return Number(await page.locator(`[data-testid="staleness"] tr[data-strategy="${strategy}"]`).getAttribute('data-stale'));
}

/** Runs each remedy once: read, update user 7, read again; returns stale reads per remedy. */
async function staleness(page, node) {
  const panel = page.locator('[data-testid="staleness"]');
  await panel.locator('select').selectOption(String(node));
  const stale = {};
  for (const strategy of ['expiry', 'invalidate', 'overwrite']) {
    await panel.locator('button.reset:not([disabled])').click();
    await panel.locator('button.reset:not([disabled])').waitFor();
    await panel.locator(`input[name="stale-strategy"][value="${strategy}"]`).check();
    await readAll(page, strategy, 6);
    assert.equal(await staleCount(page, strategy), 0, 'a cold cache is never stale');
    await panel.locator('tr[data-user="7"] button.update:not([disabled])').click();
    await panel.locator('button.read-all:not([disabled])').waitFor();
    await readAll(page, strategy, 12);
    stale[strategy] = await staleCount(page, strategy);
    if (strategy === 'expiry') {
      assert.equal(await panel.locator('li.read.stale').count(), 2, 'the stale reads are highlighted');
    }
  }
  return stale;
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
    const page = await openLab(browser, `${server.url}/cache`, server.cacheNodes.length);
    const addresses = await page.locator('[data-testid="cache-node"] .addr').allTextContents();
    assert.deepEqual(addresses.map((a) => a.trim()), server.cacheNodes);
    assert.equal(await page.locator('[data-testid="cache-mode"]').getAttribute('data-mode'), 'live');
    assert.deepEqual(page.problems, []);
  });

  it('shows a key written over TCP by an outside client', async () => {
    const page = await openLab(browser, `${server.url}/cache`, server.cacheNodes.length);
    const before = Number(await card(page, 1).getAttribute('data-items'));
    assert.equal(await memcached(server.cacheNodes[1], 'set sq:12 0 0 3\r\n144\r\n'), 'STORED\r\n');
    await card(page, 1).locator('li.key[data-key="sq:12"]').waitFor({ timeout: 5_000 });
    assert.equal(Number(await card(page, 1).getAttribute('data-items')), before + 1);
    const line = card(page, 1).locator('li.op[data-kind="set"][data-who="outside"]').first();
    await line.waitFor();
    assert.match(await line.textContent(), /sq:12.*client #\d+/);
    // Its size (key + value + 59 bytes of overhead) and, once the lab's
    // snapshot has come, its expiry.
    const row = card(page, 1).locator('li.key[data-key="sq:12"]');
    assert.equal((await row.locator('.size').textContent()).trim(), '67 B');
    await page.waitForFunction(() => /no expiry/.test(
      document.querySelector('[data-node="1"] li.key[data-key="sq:12"] .ttl')?.textContent ?? '',
    ), null, { timeout: 5_000 });
    await screenshot(page, 'cache-outside-client');
    assert.deepEqual(page.problems, []);
  });

  it('gets, sets with expiry, and shows the server\'s errors where the learner acted', async () => {
    const page = await openLab(browser, `${server.url}/cache`, server.cacheNodes.length);
    const result = page.locator('[data-testid="try-result"]');
    await tryIt(page, 'set', { node: 2, key: 'greeting', value: 'hello', ttl: 30 });
    await page.waitForFunction(() => /stored/.test(document.querySelector('[data-testid="try-result"]').textContent));
    await card(page, 2).locator('li.key[data-key="greeting"]').waitFor({ timeout: 5_000 });
    await page.waitForFunction(() => /\d+ s left/.test(
      document.querySelector('[data-node="2"] li.key[data-key="greeting"] .ttl')?.textContent ?? '',
    ), null, { timeout: 5_000 });
    // A key stored after it, then a read of the first: memcached moves a
    // key at most once a minute, so the read leaves "greeting" below.
    await tryIt(page, 'set', { key: 'later', value: 'x' });
    await card(page, 2).locator('li.key[data-key="later"]').waitFor({ timeout: 5_000 });
    await tryIt(page, 'get', { key: 'greeting' });
    await page.waitForFunction(() => /hit, “hello”, expires in \d+ s/.test(document.querySelector('[data-testid="try-result"]').textContent));
    await card(page, 2).locator('li.op[data-kind="hit"][data-who="you"]').first().waitFor();
    await card(page, 2).locator('li.key.hit[data-key="greeting"]').waitFor();
    assert.match(await page.locator('[data-testid="lru-rule"]').textContent(), /As in memcached, .* more than a minute ago/);
    assert.match(await page.locator('#cache-nodes-title + p.hint').textContent(), /see section 5\)\. As in memcached, .* the work\. Every operation/);
    const order = await card(page, 2).locator('li.key').evaluateAll((rows) => rows.map((row) => row.dataset.key));
    assert.deepEqual(order.filter((key) => key === 'greeting' || key === 'later'), ['later', 'greeting']);
    await screenshot(page, 'cache-hit-in-place');

    // A bad key: the server's refusal under the form.
    await tryIt(page, 'set', { key: 'two words' });
    const error = page.locator('[data-testid="try-error"]');
    await error.waitFor();
    assert.match(await error.textContent(), /The server refused: .*spaces/);
    assert.equal(await result.textContent(), '');

    // A memory limit below the minimum: the refusal in the node's card.
    await card(page, 2).locator('input[name="limit"]').fill('0.5');
    await card(page, 2).locator('form.limit button').click();
    const cardError = card(page, 2).locator('.node-actions .error');
    await cardError.waitFor();
    assert.match(await cardError.textContent(), /at least 1024/);
    assert.deepEqual(page.problems, []);
  });

  it('restarting a node drops its hit ratio to zero', async () => {
    const page = await openLab(browser, `${server.url}/cache`, server.cacheNodes.length);
    const ratio = `[data-testid="cache-node"][data-node="3"] [data-stat="ratio"]`;
    await tryIt(page, 'set', { node: 3, key: 'k', value: 'v', ttl: 0 });
    await card(page, 3).locator('li.key[data-key="k"]').waitFor();
    await tryIt(page, 'get', {});
    await waitForAttr(page, ratio, 'data-ratio', "v === '1.0000'");
    assert.equal((await page.locator(ratio).textContent()).trim(), '100 %');

    await card(page, 3).locator('button.restart').click();
    await waitForAttr(page, ratio, 'data-ratio', "v === ''");
    await card(page, 3).locator('.node-actions .status').filter({ hasText: 'Restarted' }).waitFor();
    assert.equal(await card(page, 3).getAttribute('data-items'), '0');
    await tryIt(page, 'get', {});
    await waitForAttr(page, ratio, 'data-ratio', "v === '0.0000'");
    assert.equal((await page.locator(ratio).textContent()).trim(), '0 %');
    assert.match(await page.locator('[data-testid="try-result"]').textContent(), /miss/);
    await screenshot(page, 'cache-after-restart');
    assert.deepEqual(page.problems, []);
  });

  it('runs the chapter\'s warm-up: misses fall and the hit ratio rises run by run', async () => {
    const page = await openLab(browser, `${server.url}/cache`, server.cacheNodes.length);
    const runs = await runWarmup(page, { node: 0 });
    assertWarmsUp(runs);
    console.log('warm-up on a real node:', runs.map((r) => `run ${r.run}: ${(r.elapsedUs / 1e6).toFixed(2)}s, ${r.misses} misses, ${(r.ratio * 100).toFixed(1)}% hits`).join('; '));
    const panel = page.locator('[data-testid="warmup"]');
    assert.equal(await panel.locator('svg g.bar').count(), 10);
    assert.match(await panel.locator('[data-testid="warmup-output"]').textContent(), /^Ten successive runs:\n( \d+\.\d\ds){10}$/);
    assert.match(await panel.locator('[data-testid="warmup-explain"]').textContent(), /warmed up/);
    // The node's feed labels the experiment's requests.
    await card(page, 0).locator('li.op[data-who="warmup"]').first().waitFor();
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'cache-warmup');
    assert.deepEqual(page.problems, []);
  });

  it('levels the curve off with a small memory limit, and says why', async () => {
    const page = await openLab(browser, `${server.url}/cache`, server.cacheNodes.length);
    const runs = await runWarmup(page, { node: 1, runs: 5, cost: 0, memory: 'small' });
    assert.equal(runs.length, 5);
    for (const run of runs.slice(1)) {
      assert.ok(run.ratio < 0.3, JSON.stringify(run));
      assert.ok(run.evictions > 500, JSON.stringify(run));
    }
    const explain = await page.locator('[data-testid="warmup-explain"]').textContent();
    assert.match(explain, /levels off/);
    assert.match(explain, /evictions in the last run/);
    // The node's card follows its own event feed (coalesced every 50 ms),
    // which may arrive just after the warm-up's result: wait for it.
    const evictions = card(page, 1).locator('[data-stat="evictions"]');
    await evictions.filter({ hasText: /[1-9]/ }).waitFor({ timeout: 15_000 });
    assert.match(await evictions.textContent(), /[1-9]/);
    assert.deepEqual(page.problems, []);
  });

  it('shows stale reads under an expiry time, none after invalidating or overwriting', async () => {
    const page = await openLab(browser, `${server.url}/cache`, server.cacheNodes.length);
    assert.match(await page.locator('[data-testid="stale-where"]').textContent(), /real node at 127\.0\.0\.1:\d+/);
    const stale = await staleness(page, 2);
    assert.deepEqual(stale, { expiry: 2, invalidate: 0, overwrite: 0 });
    assert.deepEqual(page.problems, []);
  });

  it('speaks Chinese', async () => {
    const page = await openLab(browser, `${server.url}/cache?lang=zh`, server.cacheNodes.length);
    assert.equal(await page.locator('h1').textContent(), '缓存实验');
    assert.match(await page.locator('[data-testid="lru-rule"]').textContent(), /和 memcached 一样.*超过一分钟/);
    // Chinese sentences follow each other without a space.
    assert.match(await page.locator('#cache-nodes-title + p.hint').textContent(), /见第 5 节）。和 memcached 一样.*反复移动。每个操作/);
    await memcached(server.cacheNodes[0], 'set 你好 0 300 5\r\nworld\r\n');
    await runWarmup(page, { node: 0, runs: 4, cost: 1 });
    assert.match(await page.locator('[data-testid="warmup-output"]').textContent(), /^连续运行 4 轮：/);
    await screenshot(page, 'cache-zh');
    assert.deepEqual(page.problems, []);
  });

  it('with --cache-bump-interval 0 says every read moves a key, and shows it', async () => {
    const textbook = await startServer(['--cache-bump-interval', '0']);
    try {
      const page = await openLab(browser, `${textbook.url}/cache`, textbook.cacheNodes.length);
      assert.match(await page.locator('[data-testid="lru-rule"]').textContent(), /Every read moves a key to the top: .*textbook LRU/);
      await tryIt(page, 'set', { node: 1, key: 'first', value: 'a', ttl: 0 });
      await card(page, 1).locator('li.key[data-key="first"]').waitFor();
      await tryIt(page, 'set', { key: 'second', value: 'b' });
      await card(page, 1).locator('li.key[data-key="second"]').waitFor();
      await tryIt(page, 'get', { key: 'first' });
      await card(page, 1).locator('li.key.hit[data-key="first"]').waitFor();
      const order = await card(page, 1).locator('li.key').evaluateAll((rows) => rows.map((row) => row.dataset.key));
      assert.deepEqual(order, ['first', 'second']);
      assert.deepEqual(page.problems, []);
    } finally {
      await textbook.stop();
    }
  });

  it('runs the same experiments on the wasm model when the server is gone, and says so', async () => {
    const lonely = await startServer();
    const page = await openLab(browser, `${lonely.url}/cache`, lonely.cacheNodes.length);
    await lonely.stop();
    const mode = page.locator('[data-testid="cache-mode"][data-mode="offline"]');
    await mode.waitFor({ timeout: 15_000 });
    assert.match(await mode.textContent(), /running the cache model in your browser.*WebAssembly.*virtual time/s);
    await page.locator('[data-needs-server="missing"]').waitFor();
    await page.locator('[data-testid="cache-node"]').nth(1).waitFor();
    assert.equal(await page.locator('[data-testid="cache-node"]').count(), 2);
    assert.deepEqual(await page.locator('[data-testid="cache-node"] h3').allTextContents(), ['Model node 0', 'Model node 1']);

    // The warm-up on virtual time.
    const runs = await runWarmup(page, { node: 0, timeout: 30_000 });
    assertWarmsUp(runs);
    console.log('warm-up on the model:', runs.map((r) => `${(r.elapsedUs / 1e6).toFixed(2)}s/${r.misses}`).join(' '));
    assert.match(await page.locator('[data-testid="warmup"] .where').textContent(), /virtual time/);

    // LRU eviction with a small limit: 2 KiB holds about 30 of the 40
    // squares (about 66 bytes each), so the first ones are evicted.
    await card(page, 1).locator('input[name="limit"]').fill('2');
    await card(page, 1).locator('form.limit button').click();
    await card(page, 1).locator('.node-actions .status').filter({ hasText: 'Limit set' }).waitFor();
    await page.locator('[data-testid="try-it"] select').selectOption('1');
    await page.locator('[data-testid="try-it"] button.op-fill:not([disabled])').click();
    await page.locator('[data-testid="try-result"]').filter({ hasText: 'Wrote 40 squares' }).waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-node="1"] [data-stat="evictions"]')?.textContent) > 0);
    await card(page, 1).locator('li.key[data-key="sq:40"]').waitFor();
    await tryIt(page, 'get', { node: 1, key: 'sq:1' });
    await page.locator('[data-testid="try-result"]').filter({ hasText: 'miss' }).waitFor();
    await tryIt(page, 'get', { node: 1, key: 'sq:40' });
    await page.locator('[data-testid="try-result"]').filter({ hasText: 'hit, “1600”' }).waitFor();

    // Stale data on the model.
    assert.match(await page.locator('[data-testid="stale-where"]').textContent(), /model node in your browser/);
    const stale = await staleness(page, 0);
    assert.deepEqual(stale, { expiry: 2, invalidate: 0, overwrite: 0 });

    await screenshot(page, 'cache-offline');
    await page.getByRole('button', { name: '中文' }).click();
    await page.locator('h1').filter({ hasText: '缓存实验' }).waitFor();
    assert.match(await mode.textContent(), /WebAssembly/);
    await screenshot(page, 'cache-offline-zh');
    await page.getByRole('button', { name: 'English' }).click();
    // The browser reports each failed reconnection itself; nothing else.
    const problems = page.problems.filter((p) => !/WebSocket connection to .* failed/.test(p));
    assert.deepEqual(problems, []);
  });
});
