// The cache lab's fourth stale-data remedy in the browser: a hot key
// expiring under many concurrent readers, run on virtual time by the shared
// stepper over the cache's own meta item rules. Without the remedy every
// reader recomputes at every expiry (the thundering herd); with memcached's
// (mg … N R: one W, the others Z) one recompute per expiry while the others
// read the old value. The counts are exact: no timing thresholds.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_OUT, launchBrowser, openPage, screenshot, startServer } from './harness.mjs';

/** The numbers a side's row shows, from its data attributes and cells. */
async function row(page, protection) {
  const tr = page.locator(`[data-testid="stampede"] tr[data-protection="${protection}"]`);
  const data = await tr.evaluate((el) => ({
    readers: Number(el.dataset.readers),
    expiries: Number(el.dataset.expiries),
    recomputes: Number(el.dataset.recomputes),
    staleReads: Number(el.dataset.staleReads),
    cells: [...el.querySelectorAll('td')].map((td) => td.textContent.trim()),
    flags: [...el.querySelectorAll('.flag')].map((flag) => flag.textContent),
  }));
  return data;
}

/** Fills the two settings and runs both sides; waits for the new rows. */
async function runStampede(page, readers, expiries) {
  const block = page.locator('[data-testid="stampede"]');
  await block.locator('input[name="stampede-readers"]').fill(String(readers));
  await block.locator('input[name="stampede-expiries"]').fill(String(expiries));
  await block.locator('button.run-stampede').click();
  for (const side of ['herd', 'meta']) {
    await block.locator(`tr[data-protection="${side}"][data-readers="${readers}"][data-expiries="${expiries}"]`).waitFor();
  }
}

describe('cache lab: a hot key under many readers (the stampede remedy)', () => {
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

  it('without the remedy one recompute per reader per expiry; with it one per expiry', async () => {
    const page = await openPage(browser);
    await page.goto(`${server.url}/cache`);
    const block = page.locator('[data-testid="stampede"]');
    await block.waitFor({ timeout: 10_000 });
    // The defaults are run at once: 8 readers, 3 expiries.
    assert.equal((await row(page, 'herd')).recomputes, 8 * 3);
    assert.equal((await row(page, 'meta')).recomputes, 3);

    for (const [readers, expiries] of [[12, 3], [40, 5], [1, 2]]) {
      await runStampede(page, readers, expiries);
      const herd = await row(page, 'herd');
      const meta = await row(page, 'meta');
      assert.equal(herd.recomputes, readers * expiries, JSON.stringify(herd));
      assert.equal(herd.staleReads, 0, JSON.stringify(herd));
      assert.equal(herd.cells[3], String(readers), 'recomputes per expiry');
      assert.deepEqual(herd.flags, Array(readers).fill('MISS'), 'the whole herd misses at once');
      assert.equal(meta.recomputes, expiries, JSON.stringify(meta));
      assert.equal(meta.cells[3], '1', 'one recompute per expiry');
      // The others read the old value each of the 2 s the winner recomputes.
      assert.equal(meta.staleReads, (readers - 1) * 2 * expiries, JSON.stringify(meta));
      assert.deepEqual(meta.flags, ['W', ...Array(readers - 1).fill('Z')], 'one winner, the others already won');
      assert.match(meta.cells[0], /^mg hot:leaderboard v N\d+ R\d+$/);
      assert.match(herd.cells[0], /^get hot:leaderboard$/);
    }

    await runStampede(page, 12, 3);
    const summary = await block.locator('.stampede-summary').textContent();
    assert.match(summary, /12 readers through 3 expiries sent 36 recomputes/);
    assert.match(summary, /sent 3 recomputes to the database, one per expiry/);
    mkdirSync(E2E_OUT, { recursive: true });
    await block.screenshot({ path: join(E2E_OUT, 'cache-stampede.png') });
    await screenshot(page, 'cache-stampede-page');

    // Outside the ranges: refused, and the last run stays.
    await block.locator('input[name="stampede-readers"]').fill('65');
    await block.locator('button.run-stampede').click();
    await block.locator('[role="alert"]').filter({ hasText: '1 to 64' }).waitFor();
    assert.equal((await row(page, 'meta')).readers, 12);

    await page.getByRole('button', { name: '中文' }).click();
    await page.locator('h1').filter({ hasText: '缓存实验' }).waitFor();
    assert.match(await block.locator('h3').textContent(), /第四种办法/);
    assert.match(await block.locator('.stampede-summary').textContent(), /只向数据库发出了 3 次重新计算/);
    await block.screenshot({ path: join(E2E_OUT, 'cache-stampede-zh.png') });
    assert.deepEqual(page.problems, []);
  });
});
