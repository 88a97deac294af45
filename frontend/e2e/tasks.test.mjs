// The Tasks view against the real server and a real, unchanged Celery app
// (celery 5.7.0 from target/python, FANOUT_PYTHON): tasks sent before any
// worker runs wait in the `celery` queue; a worker started with
// `--pool solo` shows up from its heartbeats; `add(2, 3)` goes queued →
// reserved → SUCCESS; an `acks_late` task is seen in kombu's unacked hash
// with its worker and its visibility deadline; a retry waits for its
// countdown and then succeeds. English and Chinese screenshots go to
// target/e2e/. `--redis off` is said plainly. No timing thresholds: every
// wait is for something the page shows.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, openPage, screenshot, startServer } from './harness.mjs';

const PYTHON = process.env.FANOUT_PYTHON;
const APP_DIR = dirname(fileURLToPath(import.meta.url));

function celeryEnv(redis) {
  return { ...process.env, FANOUT_REDIS_URL: `redis://${redis}/0`, PYTHONDONTWRITEBYTECODE: '1' };
}

/** Runs Python code beside tasks_app.py; resolves with its stdout. */
function python(redis, code) {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ['-c', code], { cwd: APP_DIR, env: celeryEnv(redis), timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

/** Sends a task without waiting for it; resolves with its id. */
const send = (redis, call) => python(redis, `import tasks_app as t; print(t.${call}.id)`);

const row = (page, kind, id) => page.locator(`[data-testid="${kind}"] [data-${kind === 'tasks' ? 'task' : kind === 'unacked' ? 'unacked' : 'waiting'}="${id}"]`);

describe('Tasks view with a real Celery app', { skip: !PYTHON && 'FANOUT_PYTHON is not set (cargo xtask test sets it)' }, () => {
  let server;
  let browser;
  let worker;
  let workerLog = '';

  before(async () => {
    server = await startServer(['--cache-nodes', '0']);
    browser = await launchBrowser();
  });

  after(async () => {
    if (worker && worker.exitCode === null) {
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    await browser?.close();
    await server?.stop();
  });

  it('shows a task queued, reserved by the worker, unacknowledged, retried and its SUCCESS', async () => {
    assert.ok(server.redis, 'the server announced its Redis node');
    const page = await openPage(browser);
    await page.goto(`${server.url}/tasks?visibility=600`);
    await page.locator('[data-testid="tasks-node"][data-state="watching"]').waitFor({ timeout: 15_000 });
    assert.match(await page.locator('[data-testid="tasks-node"]').innerText(), new RegExp(`redis://${server.redis}/0`));

    // Before any worker: the tasks wait in the `celery` list.
    const gateFile = join(mkdtempSync(join(tmpdir(), 'fanout-tasks-')), 'open');
    const addId = await send(server.redis, 'add.delay(2, 3)');
    const gateId = await send(server.redis, `gate.delay(${JSON.stringify(gateFile)})`);
    const queue = page.locator('[data-testid="queues"] [data-queue="celery"]');
    await queue.locator(`[data-task-id="${addId}"]`).waitFor({ timeout: 15_000 });
    await queue.locator(`[data-task-id="${gateId}"]`).waitFor({ timeout: 15_000 });
    assert.match(await queue.innerText(), /tasks_app\.add/);

    // A worker: `celery -A tasks_app worker --pool solo`.
    worker = spawn(PYTHON, ['-m', 'celery', '-A', 'tasks_app', 'worker', '--pool', 'solo', '-n', 'e2e@%h', '--loglevel', 'info'], {
      cwd: APP_DIR, env: celeryEnv(server.redis), stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout.on('data', (chunk) => { workerLog += chunk; });
    worker.stderr.on('data', (chunk) => { workerLog += chunk; });

    // Seen from its heartbeats.
    await page.locator('[data-testid="workers"] tr[data-worker^="e2e@"][data-status="online"]').waitFor({ timeout: 30_000 });

    // add: queued → reserved → SUCCESS, with its id.
    const addRow = row(page, 'tasks', addId);
    await page.locator(`[data-testid="tasks"] tr[data-task="${addId}"][data-state="SUCCESS"]`).waitFor({ timeout: 30_000 });
    const addSteps = (await addRow.getAttribute('data-steps')).split(' ');
    assert.deepEqual(addSteps.slice(0, 3), ['queued', 'reserved', 'result'], addSteps.join(' '));
    assert.match(await addRow.innerText(), /SUCCESS/);
    assert.match(await addRow.innerText(), new RegExp(addId));
    assert.match(await addRow.innerText(), /\b5\b/);

    // gate (acks_late) sits in unacked, with the worker and the deadline.
    const unacked = row(page, 'unacked', gateId);
    await unacked.waitFor({ timeout: 30_000 });
    const unackedText = await unacked.innerText();
    assert.match(unackedText, /e2e@/);
    assert.match(unackedText, /in \d+ s/);
    assert.ok(!(await queue.locator(`[data-task-id="${gateId}"]`).count()), 'no longer in the queue');

    // A retry with a countdown waits, held by the worker.
    const flakyId = await send(server.redis, 'flaky.delay(1)');
    // The worker is busy with gate (pool solo): flaky's first run waits, so
    // open the gate now.
    writeFileSync(gateFile, '');
    await page.locator(`[data-testid="tasks"] tr[data-task="${gateId}"][data-state="SUCCESS"]`).waitFor({ timeout: 30_000 });
    await row(page, 'waiting', flakyId).waitFor({ timeout: 30_000 });
    assert.match(await row(page, 'waiting', flakyId).innerText(), /in \d+ s/);
    await screenshot(page, 'tasks-en');

    await page.locator(`[data-testid="tasks"] tr[data-task="${flakyId}"][data-state="SUCCESS"]`).waitFor({ timeout: 30_000 });
    const flakySteps = (await row(page, 'tasks', flakyId).getAttribute('data-steps')).split(' ');
    assert.ok(flakySteps.includes('retry_scheduled'), flakySteps.join(' '));
    assert.equal(await row(page, 'unacked', gateId).count(), 0, 'acknowledged');
    assert.deepEqual(page.problems, []);

    // The same, in Chinese, for a newcomer joining late (a snapshot).
    const zh = await openPage(browser);
    await zh.goto(`${server.url}/tasks?lang=zh&visibility=600`);
    await zh.locator('[data-testid="tasks-node"][data-state="watching"]').waitFor({ timeout: 15_000 });
    await zh.locator('[data-testid="workers"] tr[data-worker^="e2e@"]').waitFor({ timeout: 30_000 });
    await zh.locator(`[data-testid="tasks"] tr[data-task="${addId}"][data-state="SUCCESS"]`).waitFor({ timeout: 15_000 });
    assert.match(await zh.locator('[data-testid="workers"]').innerText(), /在线/);
    const gate2 = join(dirname(gateFile), 'open-zh');
    const gate2Id = await send(server.redis, `gate.delay(${JSON.stringify(gate2)})`);
    await row(zh, 'unacked', gate2Id).waitFor({ timeout: 30_000 });
    assert.match(await row(zh, 'unacked', gate2Id).innerText(), /还有 \d+ 秒/);
    await screenshot(zh, 'tasks-zh');
    writeFileSync(gate2, '');
    assert.deepEqual(zh.problems, []);
    assert.ok(existsSync(gate2));
  });
});

describe('Tasks view without a Redis node', () => {
  it('says plainly that the server runs none', async () => {
    const server = await startServer(['--cache-nodes', '0', '--redis', 'off']);
    const browser = await launchBrowser();
    try {
      const page = await openPage(browser);
      await page.goto(`${server.url}/tasks`);
      const notice = page.locator('[data-testid="redis-off"]');
      await notice.waitFor({ timeout: 15_000 });
      assert.match(await notice.innerText(), /--redis off/);
      await screenshot(page, 'tasks-redis-off');
    } finally {
      await browser.close();
      await server.stop();
    }
  });
});
