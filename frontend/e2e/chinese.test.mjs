// Every lab, a live room and the labs without a server, in Chinese
// (?lang=zh, browser locale zh-CN), against the real server: the page is
// stepped or used as a learner would, refusals are provoked (an invalid
// scenario, a duplicate node, a bad duration, an unknown preset or room
// code, a bad key on a real node and on the offline model, nothing to
// place), and the captions, node states, refusals, a room's end and the
// controls (their text, labels, tooltips and placeholders) are Chinese
// with no English sentence left. "English sentence" means three Latin
// words in a row; code, names and numbers (node and socket names,
// endpoints, `md5 % N`, key names) are single words or symbols and pass,
// and code (`<pre>`, `<code>`, backticks) and quoted message payloads (the
// scenario's own data) are not checked. Screenshots go to
// target/e2e/chinese-*.png for a person to look at.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openPage, screenshot, startServer } from './harness.mjs';

const CJK = /[\u4e00-\u9fff]/;
const ENGLISH_SENTENCE = /[A-Za-z]+,? [A-Za-z]+ [A-Za-z]+/g;

/** Asserts `text` (what `where` shows) has Chinese and no English sentence. */
function assertChinese(text, where) {
  assert.match(text, CJK, `${where} has no Chinese: ${JSON.stringify(text)}`);
  assertNoEnglish(text, where);
}

/**
 * Message payloads are the scenario's data ("task 26 done by worker-3" in
 * the pipeline preset), quoted where a caption or the log shows them, and
 * a command in a tooltip is code in backticks (`cargo xtask run`); both
 * are left out of the check.
 */
function assertNoEnglish(text, where) {
  const leftovers = text.replace(/"[^"\n]*"/g, '""').replace(/`[^`\n]*`/g, '``').match(ENGLISH_SENTENCE);
  assert.equal(leftovers, null, `English in ${where}: ${JSON.stringify(leftovers)} in ${JSON.stringify(text)}`);
}

/**
 * Everything the page says: each piece of text in the header and `<main>`
 * (the SVG's words included) outside code (`pre`, `code`, `kbd`: the
 * chapter's Python and shell lines are code in every language) and the
 * learner's own input, and every label, tooltip and placeholder.
 */
async function everythingSaid(page) {
  return page.evaluate(() => {
    const said = [];
    const skip = 'pre, code, kbd, script, style, textarea';
    for (const root of document.querySelectorAll('header, main')) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement?.closest(skip)) continue;
        const text = node.textContent.trim();
        if (text) said.push(text);
      }
    }
    for (const element of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
      for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
        const value = element.getAttribute(name);
        if (value) said.push(value);
      }
    }
    return said.join('\n');
  });
}

/** The text of `locator` outside code (a command such as `cargo xtask run`). */
async function proseOf(locator) {
  return locator.evaluate((root) => {
    const said = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement?.closest('pre, code, kbd')) said.push(node.textContent);
    }
    return said.join('');
  });
}

/**
 * A page as a Chinese reader's browser opens it: the browser's own words
 * (a file input's "Choose File") follow its locale, the lab's `?lang=zh`.
 */
function openZh(browser) {
  return openPage(browser, { viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
}

/** Every control's words: buttons, summaries, labels, options. */
async function controlsSaid(page, scope) {
  return page.locator(scope).evaluate((root) => [...root.querySelectorAll('button, summary, label, legend')]
    .map((element) => element.innerText.trim())
    .filter((text) => text && !/^[\d\s.,:×▶⏸⏮⏭↶↷⟲‹›«»\-–—+]*$/u.test(text)));
}

describe('every lab in Chinese', () => {
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

  it('the queue lab: captions, node states, refusals and controls in Chinese', async () => {
    const page = await openZh(browser);
    await page.goto(`${server.url}/queues?scenario=pi&seed=7&lang=zh`);
    await page.locator('.queue-lab g.node').first().waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('html').getAttribute('lang'), 'zh-CN');
    assert.equal(await page.locator('h1').textContent(), '消息队列实验');

    // Step the preset by keyboard and by the Step button.
    await page.evaluate(() => document.activeElement?.blur());
    for (let i = 0; i < 40; i += 1) await page.keyboard.press('ArrowRight');
    await page.locator('.queue-lab[data-step="40"]').waitFor({ timeout: 15_000 });
    await page.locator('.queue-controls button.step').click();
    await page.locator('.queue-lab[data-step="41"]').waitFor();
    assertChinese(await page.locator('.what-happened .caption-text').textContent(), 'the caption');
    const states = await page.locator('g.node .node-state').allTextContents();
    assert.ok(states.length >= 3, `node states: ${states}`);
    for (const state of states) assertChinese(state, `a node state (${states})`);
    for (const row of await page.locator('.log-row').allInnerTexts()) assertNoEnglish(row, 'a log row');

    // REQ/REP states, in another preset picked from the bar.
    await page.locator('.scenario-select').selectOption('rpc');
    await page.locator('g.node[data-node="frontend-1"]').waitFor();
    for (let i = 0; i < 30; i += 1) await page.keyboard.press('ArrowRight');
    await page.locator('.queue-lab[data-step="30"]').waitFor({ timeout: 15_000 });
    assertChinese(await page.locator('g.node[data-node="frontend-1"] .node-state').textContent(), 'a REQ node\'s state');
    assertChinese(await page.locator('.scenario-explain').textContent(), 'the preset\'s explanation');

    // Refusals, each where the learner acted.
    const editor = page.locator('section.editor');
    await editor.locator('input[type="text"]').first().fill('frontend-1');
    await editor.locator('button[type="submit"]').click();
    const editorError = editor.locator('.form-error');
    await editorError.waitFor();
    assertChinese(await editorError.textContent(), 'the refusal of a duplicate node');
    await editor.locator('input[type="text"]').first().fill('worker-9');
    await editor.locator('input[type="text"]').last().fill('soon');
    await editor.locator('button[type="submit"]').click();
    await editorError.filter({ hasNotText: 'frontend-1' }).waitFor();
    assertChinese(await editorError.textContent(), 'the refusal of a bad duration');

    const importer = page.locator('details.import');
    await importer.locator('summary').click();
    await importer.locator('textarea.import-json').fill('{"name": "empty", "nodes": []}');
    await importer.locator('button[type="submit"]').click();
    const importError = importer.locator('.form-error');
    await importError.waitFor();
    const noNodes = await importError.textContent();
    assertChinese(noNodes, 'the refusal of a scenario without nodes');
    await importer.locator('textarea.import-json').fill('{"name": ');
    await importer.locator('button[type="submit"]').click();
    await importError.filter({ hasNotText: noNodes }).waitFor();
    assertChinese(await importError.textContent(), 'the refusal of JSON that is not JSON');

    assertNoEnglish((await controlsSaid(page, 'main')).join('\n'), 'the controls');
    await page.locator('g.node[data-node="frontend-1"] .card-body').click({ position: { x: 30, y: 14 } });
    await page.locator('.node-panel[data-node="frontend-1"]').waitFor();
    assertNoEnglish(await everythingSaid(page), 'the queue lab');
    await screenshot(page, 'chinese-queues');
    assert.deepEqual(page.problems, []);
  });

  it('the queue lab refuses an address it cannot open in Chinese', async () => {
    const page = await openZh(browser);
    await page.goto(`${server.url}/queues?scenario=no-such-preset&lang=zh`);
    const problem = page.locator('.notice.problem');
    await problem.waitFor({ timeout: 15_000 });
    assertChinese(await problem.textContent(), 'the refusal of an unknown preset');
    assertNoEnglish(await everythingSaid(page), 'the queue lab with a refused address');
    await screenshot(page, 'chinese-queues-refused');
    assert.deepEqual(page.problems, []);
  });

  it('a live room in Chinese: the room, its captions and node states, a worker joined', async () => {
    const teacher = await openZh(browser);
    await teacher.goto(`${server.url}/queues?scenario=pipeline&seed=7&lang=zh`);
    await teacher.locator('.link-badge[data-state="connected"]').waitFor({ timeout: 15_000 });
    await teacher.getByRole('button', { name: '实时运行' }).click();
    const code = await teacher.locator('.live-room .room-code').textContent({ timeout: 15_000 });
    const link = await teacher.locator('.live-room .join-link input').inputValue();

    const student = await openZh(browser);
    await student.goto(`${link}&lang=zh`);
    await student.locator(`.live-room[data-room="${code}"]`).waitFor({ timeout: 15_000 });
    await student.locator('g.node[data-node="ventilator"]').waitFor({ timeout: 15_000 });
    await student.getByRole('button', { name: '作为 PULL 工作者加入' }).click();
    await student.waitForFunction(
      () => Number(document.querySelector('.live-worker.mine')?.dataset.received) > 0,
      null,
      { timeout: 20_000 },
    );
    for (const page of [teacher, student]) {
      await page.waitForFunction(() => document.querySelectorAll('.log-row').length > 0, null, { timeout: 15_000 });
      assertChinese(await page.locator('.what-happened .caption-text').textContent(), 'a live room\'s caption');
      for (const state of await page.locator('g.node .node-state').allTextContents()) {
        assertChinese(state, 'a live node\'s state');
      }
      assertChinese(await page.locator('.live-room').innerText(), 'the live room panel');
      assertNoEnglish(await everythingSaid(page), 'a page in a live room');
    }
    await screenshot(student, 'chinese-room-student');
    await screenshot(teacher, 'chinese-room-teacher');
    await teacher.getByRole('button', { name: '停止并离线回放' }).click();
    await teacher.locator('.queue-controls .scrubber input').waitFor({ timeout: 30_000 });
    // The student is told why the room ended, from room_closed's typed end.
    const ended = await student.locator('[data-live-notice]').textContent({ timeout: 15_000 });
    assert.match(ended, /^实时房间已结束（.*）。实验回到浏览器中的模拟。$/u);
    assertChinese(ended, 'why the room ended');
    assert.deepEqual([...teacher.problems, ...student.problems], []);
  });

  it('an unknown room code is refused in Chinese', async () => {
    const page = await openZh(browser);
    await page.goto(`${server.url}/queues?room=AAA-AAA&lang=zh`);
    const notice = page.locator('[data-live-notice]');
    await notice.waitFor({ timeout: 15_000 });
    assertChinese(await notice.textContent(), 'the refusal of an unknown room');
    assert.deepEqual(page.problems, []);
  });

  it('the cache lab: operations, refusals and controls in Chinese', async () => {
    const page = await openZh(browser);
    await page.goto(`${server.url}/cache?lang=zh`);
    await page.locator('[data-testid="cache-node"]').nth(server.cacheNodes.length - 1).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('h1').textContent(), '缓存实验');
    const form = page.locator('[data-testid="try-it"]');
    await form.locator('input[name="key"]').fill('greeting');
    await form.locator('input[name="value"]').fill('hello');
    await form.locator('button.op-set:not([disabled])').click();
    const result = page.locator('[data-testid="try-result"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="try-result"]')?.textContent.trim() !== '');
    assertChinese(await result.textContent(), 'the result of a set');

    // The server's refusal of a bad key, said from its typed fact.
    await form.locator('input[name="key"]').fill('two words');
    await form.locator('button.op-set:not([disabled])').click();
    const error = page.locator('[data-testid="try-error"]');
    await error.waitFor();
    assertChinese(await error.textContent(), 'the server\'s refusal of a key with a space');

    assertNoEnglish((await controlsSaid(page, 'main')).join('\n'), 'the controls');
    assertNoEnglish(await everythingSaid(page), 'the cache lab');
    await screenshot(page, 'chinese-cache');
    assert.deepEqual(page.problems, []);
  });

  it('without a server: what live runs need, and the cache model\'s refusals, in Chinese', async () => {
    const lonely = await startServer();
    const queues = await openZh(browser);
    await queues.goto(`${lonely.url}/queues?scenario=pipeline&lang=zh`);
    await queues.locator('.link-badge[data-state="connected"]').waitFor({ timeout: 15_000 });
    const cache = await openZh(browser);
    await cache.goto(`${lonely.url}/cache?lang=zh`);
    await cache.locator('[data-testid="cache-node"]').first().waitFor({ timeout: 15_000 });
    await lonely.stop();

    await queues.locator('.link-badge[data-state="offline"]').waitFor({ timeout: 15_000 });
    const needs = queues.locator('.live-room [data-needs-server="missing"]');
    await needs.waitFor();
    assertChinese(await proseOf(needs), 'what live runs need');
    assertChinese(await queues.locator('.link-badge').getAttribute('title') ?? '', 'the offline badge\'s tooltip');
    assertNoEnglish(await everythingSaid(queues), 'the queue lab without a server');

    await cache.locator('[data-testid="cache-mode"][data-mode="offline"]').waitFor({ timeout: 15_000 });
    const form = cache.locator('[data-testid="try-it"]');
    await form.locator('input[name="key"]').fill('two words');
    await form.locator('button.op-set:not([disabled])').click();
    const error = cache.locator('[data-testid="try-error"]');
    await error.waitFor();
    assertChinese(await error.textContent(), 'the model\'s refusal of a key with a space');
    assertNoEnglish(await everythingSaid(cache), 'the cache lab on the model');
    await screenshot(queues, 'chinese-queues-no-server');
    await screenshot(cache, 'chinese-cache-offline');
    // The browser reports each failed reconnection itself; nothing else.
    const problems = [...queues.problems, ...cache.problems].filter((p) => !/WebSocket connection to .* failed/.test(p));
    assert.deepEqual(problems, []);
  });

  it('the shard lab: sections, refusals and controls in Chinese', async () => {
    const page = await openZh(browser);
    await page.goto(`${server.url}/shards?lang=zh`);
    await page.locator('.shard-lab[data-ready="true"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('h1').textContent(), '分片实验');
    assertChinese(await page.locator('.keys-summary').textContent(), 'the keys\' summary');

    // Placing nothing is refused in Chinese.
    const own = page.locator('details.own-words');
    await own.locator('summary').click();
    await own.locator('textarea').fill('   ');
    await own.locator('button:not(.link-button)').click();
    const refusal = own.locator('.form-error');
    await refusal.waitFor();
    assertChinese(await refusal.textContent(), 'the refusal of nothing to place');

    assertNoEnglish((await controlsSaid(page, 'main')).join('\n'), 'the controls');
    assertNoEnglish(await everythingSaid(page), 'the shard lab');
    await screenshot(page, 'chinese-shards');
    assert.deepEqual(page.problems, []);
  });

  it('the reliability lab: its prediction, fault toolbar, meter, brokers and tasks in Chinese', async () => {
    const page = await openZh(browser);
    await page.goto(`${server.url}/reliability?scenario=at-least-once&seed=1&lang=zh`);
    await page.locator('.queue-lab g.node').first().waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('h1').textContent(), '可靠性实验');
    // Step until worker-2 holds a task, then crash it from the toolbar.
    const running = page.locator('.rel-task', { hasText: 'worker-2 (执行中)' });
    await page.evaluate(() => document.activeElement?.blur());
    for (let i = 0; i < 400 && (await running.count()) === 0; i += 1) await page.keyboard.press('ArrowRight');
    assertChinese(await page.locator('.rel-brokers').innerText(), 'the brokers\' queues');
    await page.locator('.rel-fault-node').selectOption('worker-2');
    await page.locator('button[data-fault="crash"]').click();
    // A refused fault says why in Chinese: restarting a node that runs.
    await page.locator('.rel-fault-node').selectOption('broker');
    await page.locator('button[data-fault="restart"]').click();
    const refusal = page.locator('.rel-refused .notice.problem');
    await refusal.waitFor();
    assertChinese(await refusal.textContent(), 'a refused fault');
    // Predict, check, and read a task's ledger.
    await page.locator('.rel-guess').fill('2');
    await page.locator('.rel-check').click();
    await page.locator('.rel-verdict').waitFor({ timeout: 30_000 });
    assertChinese(await page.locator('.rel-verdict').textContent(), 'the verdict');
    await page.locator('.rel-task').first().click();
    assertChinese(await page.locator('.rel-task-ledger').textContent(), 'a task\'s ledger');
    assertChinese(await page.locator('.rel-meter').innerText(), 'the guarantee meter');

    assertNoEnglish((await controlsSaid(page, 'main')).join('\n'), 'the controls');
    assertNoEnglish(await everythingSaid(page), 'the reliability lab');
    await screenshot(page, 'chinese-reliability');
    assert.deepEqual(page.problems, []);
  });
});
