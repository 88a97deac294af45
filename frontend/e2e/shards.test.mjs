// The shard lab in a real browser against the real server: the counts the
// page shows for the shipped word list and for a pasted list equal the
// values computed natively by fanout-shared (shared/tests/shard/expected.json,
// kept current by shared/tests/shard_expected.rs), moving from 4 to 5
// servers moves about 80% of keys under mod-N schemes and about 20% under
// consistent hashing, the page works by keyboard and at 360 px, and it
// speaks Chinese with ?lang=zh.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { E2E_OUT, launchBrowser, openPage, screenshot, startServer } from './harness.mjs';

const expected = JSON.parse(readFileSync(new URL('../../shared/tests/shard/expected.json', import.meta.url)));
const pastedText = readFileSync(new URL('../../shared/tests/shard/pasted.txt', import.meta.url), 'utf8');
const SCHEMES = ['first_letter', 'builtin_hash', 'md5_last_byte', 'crc32', 'ketama', 'rendezvous', 'jump'];

/** Waits until the page has placed `keys` keys. */
async function waitForKeys(page, keys) {
  await page.locator(`.keys-summary[data-keys="${keys}"]`).waitFor({ timeout: 30_000 });
  await page.locator('.shard-lab[data-ready="true"]').waitFor({ timeout: 30_000 });
}

/** Waits until the page shows `n` servers (Leptos updates the DOM asynchronously). */
async function waitForServers(page, n) {
  await page.locator(`.servers-count[data-servers="${n}"]`).waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('.servers-count').textContent(), String(n));
}

/** Reads every scheme's per-server counts from the balance charts. */
async function countsOnPage(page) {
  return page.evaluate((schemes) => Object.fromEntries(schemes.map((id) => [
    id,
    [...document.querySelectorAll(`.scheme-card[data-scheme="${id}"] .bar`)]
      .map((bar) => Number(bar.dataset.count)),
  ])), SCHEMES);
}

/** Reads every scheme's moves from the table: [moved, total, shown text]. */
async function movesOnPage(page) {
  return page.evaluate((schemes) => Object.fromEntries(schemes.map((id) => {
    const row = document.querySelector(`table.moves tr[data-scheme="${id}"]`);
    return [id, {
      moved: Number(row.dataset.moved),
      total: Number(row.dataset.total),
      percent: row.querySelector('.percent').textContent,
    }];
  })), SCHEMES);
}

describe('shard lab', () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer(['--memcached', '127.0.0.1:0']);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the natively computed counts and moves for the word list (4 → 5 servers)', async () => {
    const want = expected.word_list_4_to_5;
    const page = await openPage(browser);
    await page.goto(`${server.url}/shards`);
    assert.equal(await page.locator('h1').textContent(), 'Shard lab');
    await waitForKeys(page, want.keys);
    assert.equal(await page.locator('.keys-summary').getAttribute('data-words'), String(want.words_read));
    await waitForServers(page, 4);
    // No source code leaking into the page (an unbraced `>` in a view! attribute once did).
    assert.doesNotMatch(await page.locator('main').innerText(), /get_untracked|move \|\||MAX_SERVERS/);

    const counts = await countsOnPage(page);
    for (const id of SCHEMES) {
      assert.deepEqual(counts[id], want.balance[id].counts, `${id} counts`);
      const card = page.locator(`.scheme-card[data-scheme="${id}"]`);
      assert.equal(
        await card.locator('[data-stat="max-over-mean"]').textContent(),
        `${want.balance[id].max_over_mean.toFixed(2)}×`,
        `${id} max/mean`,
      );
    }

    const moves = await movesOnPage(page);
    for (const id of SCHEMES) {
      assert.equal(moves[id].moved, want.moves[id].moved, `${id} moved`);
      assert.equal(moves[id].total, want.moves[id].total, `${id} total`);
      assert.equal(moves[id].percent, `${want.moves[id].percent.toFixed(1)}%`, `${id} shown percent`);
    }
    // The lesson: mod-N moves about 4/5 of the keys, consistent schemes about 1/5.
    for (const id of ['builtin_hash', 'md5_last_byte', 'crc32']) {
      const fraction = moves[id].moved / moves[id].total;
      assert.ok(Math.abs(fraction - 0.8) < 0.02, `${id} moved ${fraction}`);
    }
    for (const id of ['ketama', 'rendezvous', 'jump']) {
      const fraction = moves[id].moved / moves[id].total;
      assert.ok(Math.abs(fraction - 0.2) < 0.03, `${id} moved ${fraction}`);
    }
    console.log('moves 4 → 5:', Object.fromEntries(SCHEMES.map((id) => [id, moves[id].percent])));
    await screenshot(page, 'shards-wordlist-4-servers');
    await page.locator('section[aria-labelledby="servers-title"]').screenshot({ path: `${E2E_OUT}/shards-servers-panel.png` });
    await page.locator('section[aria-labelledby="balance-title"]').screenshot({ path: `${E2E_OUT}/shards-balance.png` });

    // The animation: show after the change, and the sample keys slide.
    await page.locator('.flow select').selectOption('ketama');
    await page.getByRole('button', { name: 'Show after the change' }).click();
    await page.waitForTimeout(1500);
    await page.locator('.flow').screenshot({ path: `${E2E_OUT}/shards-flow-ketama-after.png` });
    await page.locator('section[aria-labelledby="ring-title"]').screenshot({ path: `${E2E_OUT}/shards-ring-after.png` });
    await screenshot(page, 'shards-after-change-ketama');
    assert.deepEqual(page.problems, []);
  });

  it('places a pasted list exactly as computed natively, and removes a chosen server', async () => {
    const want = expected.pasted_3_remove_first;
    const page = await openPage(browser);
    await page.goto(`${server.url}/shards`);
    await waitForKeys(page, expected.word_list_4_to_5.keys);
    await page.getByText('Use your own words').click();
    await page.getByLabel('Paste words, separated by spaces or new lines:').fill(pastedText);
    await page.getByRole('button', { name: 'Place these words' }).click();
    await waitForKeys(page, want.keys);
    await page.getByRole('button', { name: 'One server fewer' }).click();
    await waitForServers(page, 3);
    await page.getByLabel('a server leaves:').check();
    await page.getByLabel('Which server leaves').selectOption('0');

    const counts = await countsOnPage(page);
    const moves = await movesOnPage(page);
    for (const id of SCHEMES) {
      assert.deepEqual(counts[id], want.balance[id].counts, `${id} counts`);
      assert.equal(moves[id].moved, want.moves[id].moved, `${id} moved`);
    }
    assert.deepEqual(page.problems, []);
  });

  it('shows two Python processes disagreeing, and agreeing with equal seeds', async () => {
    const page = await openPage(browser);
    await page.goto(`${server.url}/shards`);
    await waitForKeys(page, expected.word_list_4_to_5.keys);
    const result = page.locator('.trap-result');
    const differ = Number(await result.getAttribute('data-differ'));
    const total = Number(await result.getAttribute('data-total'));
    // Different seeds: about 3 in 4 keys land elsewhere with 4 servers.
    assert.ok(Math.abs(differ / total - 0.75) < 0.02, `differ ${differ}/${total}`);
    await page.getByLabel('PYTHONHASHSEED').nth(1).fill('1');
    await page.getByLabel('PYTHONHASHSEED').nth(1).press('Enter');
    await page.getByLabel('PYTHONHASHSEED').nth(1).blur();
    await page.locator('.trap-result[data-differ="0"]').waitFor();
    assert.deepEqual(page.problems, []);
  });

  it('stores keys on the server\'s real cache nodes where each scheme predicts', async () => {
    const page = await openPage(browser);
    // The check goes over the app's one link: no socket of its own.
    const sockets = [];
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(`${server.url}/shards`);
    await waitForKeys(page, expected.word_list_4_to_5.keys);
    await page.locator('.link-badge[data-state="connected"]').waitFor({ timeout: 10_000 });
    const live = page.locator('section[aria-labelledby="live-title"]');
    for (const id of ['crc32', 'rendezvous', 'ketama']) {
      await live.getByLabel('Scheme:').selectOption(id);
      await live.getByRole('button', { name: 'Place and count' }).click();
      await page.locator('section[data-live="done"]').waitFor({ timeout: 60_000 });
      const nodes = await live.locator('tr[data-node]').evaluateAll((rows) => rows.map((row) => ({
        predicted: Number(row.dataset.predicted),
        counted: Number(row.dataset.counted),
      })));
      assert.equal(nodes.length, 4, 'fanout serve runs four cache nodes by default');
      assert.equal(nodes.reduce((sum, n) => sum + n.counted, 0), 2000, `${id}: all keys counted`);
      for (const node of nodes) assert.equal(node.counted, node.predicted, `${id}: ${JSON.stringify(nodes)}`);
      assert.equal(await live.locator('[data-all-match]').getAttribute('data-all-match'), 'true');
    }
    await live.screenshot({ path: `${E2E_OUT}/shards-live-check.png` });
    assert.equal(sockets.length, 1, `WebSockets opened: ${sockets.join(', ')}`);
    assert.deepEqual(page.problems, []);
  });

  it('works by keyboard and fits a 360 px screen', async () => {
    const page = await openPage(browser, { viewport: { width: 360, height: 780 } });
    await page.goto(`${server.url}/shards`);
    await waitForKeys(page, expected.word_list_4_to_5.keys);
    await page.getByRole('button', { name: 'One server more' }).focus();
    const started = Date.now();
    await page.keyboard.press('Enter');
    await waitForServers(page, 5);
    await page.locator('.scheme-card[data-scheme="jump"] .bar:nth-of-type(5)').waitFor();
    console.log(`recomputing 7 schemes × 2 placements of ${expected.word_list_4_to_5.keys} keys took ${Date.now() - started} ms`);
    await page.keyboard.press('Space');
    await waitForServers(page, 6);
    assert.equal(await page.locator('.scheme-card[data-scheme="jump"] .bar').count(), 6);
    await screenshot(page, 'shards-360px');
    for (const id of ['moves', 'trap']) {
      await page.locator(`section[aria-labelledby="${id}-title"]`).screenshot({ path: `${E2E_OUT}/shards-360px-${id}.png` });
    }
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px at 360 px`);
    assert.deepEqual(page.problems, []);
  });

  it('speaks Chinese with ?lang=zh, with the same numbers, and fits 360 px', async () => {
    const want = expected.word_list_4_to_5;
    const page = await openPage(browser);
    await page.goto(`${server.url}/shards?lang=zh`);
    await waitForKeys(page, want.keys);
    await page.locator('.link-badge[data-state="connected"]').waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    assert.equal(await page.locator('h1').textContent(), '分片实验');
    assert.equal(await page.locator('#servers-title').textContent(), '2. 服务器');
    assert.equal(await page.locator('#ring-title').textContent(), '5. 一致性散列环');
    const keysShown = want.keys.toLocaleString('en-US');
    const summary = await page.locator('.keys-summary').textContent();
    assert.ok(summary.startsWith(`${keysShown} 个不同的键`) && summary.includes('来自英语单词表 SCOWL'), summary);
    assert.equal(
      await page.locator('.scheme-card[data-scheme="ketama"] h3').textContent(),
      '一致性散列（ketama 环）',
    );
    // Scheme names that are code stay code; numbers look as in English.
    assert.equal(await page.locator('table.moves tr[data-scheme="md5_last_byte"] th').textContent(), 'md5 % N');
    assert.equal(
      await page.locator('table.moves tr[data-scheme="crc32"] .percent').textContent(),
      `${want.moves.crc32.percent.toFixed(1)}%`,
    );
    assert.deepEqual((await countsOnPage(page)).md5_last_byte, want.balance.md5_last_byte.counts);
    assert.match(await page.locator('.trap-result').textContent(), /个键中有 [\d,]+ 个（[\d.]+%）在 A 和 B 看来位于不同的服务器上/u);
    // No English sentence left behind (names such as "python-memcached" are single words).
    const leftovers = (await page.locator('main').innerText()).match(/[A-Za-z]+,? [A-Za-z]+ [A-Za-z]+/g);
    assert.equal(leftovers, null, `English left on the Chinese page: ${leftovers}`);

    await page.getByRole('button', { name: '显示变化之后' }).click();
    await page.locator('.phase-note', { hasText: '显示变化之后的环。' }).waitFor();

    // The live check, in Chinese and with the most keys.
    const live = page.locator('section[aria-labelledby="live-title"]');
    await live.getByLabel('键数：').selectOption('10000');
    const started = Date.now();
    await live.getByRole('button', { name: '放置并计数' }).click();
    await page.locator('section[data-live="done"]').waitFor({ timeout: 60_000 });
    console.log(`live check of 10,000 keys took ${Date.now() - started} ms`);
    const counted = await live.locator('tr[data-node]').evaluateAll((rows) => rows.map((row) => Number(row.dataset.counted)));
    assert.equal(counted.reduce((sum, n) => sum + n, 0), 10_000);
    assert.equal(await live.locator('[data-all-match]').getAttribute('data-all-match'), 'true');
    assert.match(await live.locator('[data-all-match]').textContent(), /存了 10,000 个键.*每个节点上的数量都与预测完全相同。$/u);
    await screenshot(page, 'shards-zh');

    await page.setViewportSize({ width: 360, height: 780 });
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the Chinese page scrolls sideways by ${overflow}px at 360 px`);
    await screenshot(page, 'shards-zh-360px');

    // Switching language re-labels the lab in place, numbers unchanged.
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('h1', { hasText: 'Shard lab' }).waitFor();
    assert.ok((await page.locator('.keys-summary').textContent()).startsWith(`${keysShown} distinct keys`));
    assert.match(await live.locator('[data-all-match]').textContent(), /^Stored 10,000 keys/);
    assert.deepEqual(page.problems, []);
  });
});
