// The cache lab's slab-class section in the browser: items of a chosen
// size land in a class, waste the rest of their chunk, and take pages; a
// full class evicts; the stranded-memory scenario evicts in the large
// class beside free chunks of the small one. The figures are memcached
// 1.6.18's for -m 8 -f 1.25 -n 48 (server/tests/cache_slabs.rs checks the
// same model against the real memcached); all exact, no timing thresholds.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_OUT, launchBrowser, openPage, screenshot, startServer } from './harness.mjs';

/** A class's row as numbers, from its data attributes. */
async function classRow(block, classId) {
  const tr = block.locator(`tr[data-class="${classId}"]`);
  await tr.waitFor();
  return tr.evaluate((el) => ({
    chunk: Number(el.dataset.chunk),
    pages: Number(el.dataset.pages),
    used: Number(el.dataset.used),
    free: Number(el.dataset.free),
    evicted: Number(el.dataset.evicted),
    last: el.classList.contains('last'),
    blocks: el.querySelectorAll('.page-block').length,
  }));
}

/** Stores `count` items with values of `bytes` and waits for the answer. */
async function store(block, bytes, count) {
  await block.locator('input[name="slab-value"]').fill(String(bytes));
  await block.locator('input[name="slab-count"]').fill(String(count));
  await block.locator('button.slab-store').click();
}

/** Empties the lesson's cache with these settings. */
async function reset(block, memory, factor) {
  await block.locator('input[name="slab-memory"]').fill(String(memory));
  await block.locator('input[name="slab-factor"]').fill(String(factor));
  await block.locator('button.slab-reset').click();
  await block.locator('[data-testid="slab-step"]').filter({ hasText: 'The cache is empty' }).waitFor();
}

describe('cache lab: slab classes', () => {
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

  it('shows the class an item lands in, its waste, pages per class, and stranded memory', async () => {
    const page = await openPage(browser);
    await page.goto(`${server.url}/cache`);
    const block = page.locator('[data-testid="slabs"]');
    await block.waitFor({ timeout: 10_000 });
    assert.match(await block.locator('h2').textContent(), /5\. Memory: slab classes/);
    assert.match(await block.locator('[data-testid="slab-step"]').textContent(), /The cache is empty/);

    // 100-byte values under 8-byte keys: 167-byte items in class 4's
    // 192-byte chunks, 25 bytes wasted in each; one page so far.
    await store(block, 100, 1000);
    const step = block.locator('[data-testid="slab-step"] p[data-class="4"]');
    await step.waitFor();
    assert.deepEqual(
      await step.evaluate((el) => [el.dataset.chunk, el.dataset.item, el.dataset.wasted, el.dataset.evicted]),
      ['192', '167', '25', '0'],
    );
    const said = await step.textContent();
    assert.match(said, /Each item is 167 B \(8-byte key \+ 100-byte value/);
    assert.match(said, /class 4, whose chunks are 192 B: 25 B of each is wasted/);
    assert.match(said, /it would hold 43688 of them, not the 50231/);
    let small = await classRow(block, 4);
    assert.deepEqual(small, { chunk: 192, pages: 1, used: 1000, free: 5461 - 1000, evicted: 0, last: true, blocks: 1 });

    // Past the limit: eight pages of 5,461 chunks, the rest evicted.
    await store(block, 100, 50_000);
    await block.locator('[data-testid="slab-step"] p[data-evicted="7312"]').waitFor();
    small = await classRow(block, 4);
    assert.deepEqual(small, { chunk: 192, pages: 8, used: 43_688, free: 0, evicted: 7312, last: true, blocks: 8 });
    const totals = block.locator('[data-testid="slab-totals"]');
    assert.equal(await totals.getAttribute('data-malloced'), String(8 << 20));
    assert.match(await totals.textContent(), /Limit 8\.0 MiB; pages handed out 8\.0 MiB\. 43688 items/);

    // Stranded memory: small items take every page, half are deleted,
    // then 2,067-byte items go to class 15 (2,320-byte chunks, 451 to a
    // page): one page, and they evict each other.
    await block.locator('button.slab-stranded').click();
    const stranded = block.locator('[data-testid="slab-step"] p[data-class="15"]');
    await stranded.waitFor();
    assert.equal(await stranded.getAttribute('data-evicted'), String(2000 - 451));
    assert.equal(await stranded.getAttribute('data-small-free'), String(21_844 * 192));
    assert.match(await stranded.textContent(), /evicted 1549 of its own items while the free memory stayed stranded in class 4/);
    small = await classRow(block, 4);
    assert.equal(small.pages, 8);
    assert.equal(small.free, 21_844);
    assert.equal(small.last, false);
    const large = await classRow(block, 15);
    assert.deepEqual(large, { chunk: 2320, pages: 1, used: 451, free: 0, evicted: 1549, last: true, blocks: 1 });
    mkdirSync(E2E_OUT, { recursive: true });
    await block.screenshot({ path: join(E2E_OUT, 'cache-slabs.png') });
    await screenshot(page, 'cache-slabs-page');

    // Outside the ranges: refused, and the cache stays as it was.
    await store(block, 0, 10);
    await block.locator('[role="alert"]').filter({ hasText: 'Value size: 1 to 1000000 bytes.' }).waitFor();
    assert.equal((await classRow(block, 15)).used, 451);

    // Another growth factor lays the classes out anew: with -f 2 the
    // 167-byte item goes to class 2, whose chunks are 192 bytes.
    await reset(block, 4, 2);
    await store(block, 100, 10);
    await block.locator('[data-testid="slab-step"] p[data-class="2"][data-chunk="192"]').waitFor();
    assert.equal((await classRow(block, 2)).pages, 1);
    assert.equal(await block.locator('tbody tr').count(), 1);

    // In Chinese, from the same facts.
    await block.locator('button.slab-stranded').click();
    await page.getByRole('button', { name: '中文' }).click();
    await page.locator('h1').filter({ hasText: '缓存实验' }).waitFor();
    assert.match(await block.locator('h2').textContent(), /5\. 内存：slab 分级/);
    assert.match(await block.locator('[data-testid="slab-step"]').textContent(), /空闲的内存仍然困在第 \d+ 级/);
    await block.screenshot({ path: join(E2E_OUT, 'cache-slabs-zh.png') });
    assert.deepEqual(page.problems, []);
  });
});
