// The Tasks view against the real server and a real, unchanged Celery app
// (celery 5.7.0 from target/python, FANOUT_PYTHON): tasks sent before any
// worker runs wait in the `celery` queue; a worker started with
// `--pool solo` shows up from its heartbeats; `add(2, 3)` goes queued →
// reserved → SUCCESS; an `acks_late` task is seen in kombu's unacked hash
// with its worker and its visibility deadline; a retry waits for its
// countdown and then succeeds; Flower's received / started / finished /
// runtime columns, derived ones marked. The page's own command line
// writes to the node (what it pushes shows in the Queues panel), refuses
// what needs a real client, and "send a task" pushes a Celery message the
// real worker runs to SUCCESS. English and Chinese screenshots go to
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

function celeryEnv(redis, visibility = 600) {
  return {
    ...process.env,
    FANOUT_REDIS_URL: `redis://${redis}/0`,
    FANOUT_VISIBILITY_TIMEOUT: String(visibility),
    PYTHONDONTWRITEBYTECODE: '1',
  };
}

/** `celery -A tasks_app worker --pool solo -n <name>@%h`; its output goes to `log`. */
function startWorker(redis, name, log, visibility = 600) {
  const child = spawn(PYTHON, ['-m', 'celery', '-A', 'tasks_app', 'worker', '--pool', 'solo', '-n', `${name}@%h`, '--loglevel', 'info'], {
    cwd: APP_DIR, env: celeryEnv(redis, visibility), stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk) => { log.text += chunk; });
  child.stderr.on('data', (chunk) => { log.text += chunk; });
  return child;
}

/** Stops `child` with `signal` and waits until it has exited. */
async function stop(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
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
    // Flower's columns: without -E, received and started come from the
    // reservation (derived, marked ≈), finished from the result's date_done.
    await assertFlowerTimes(addRow);

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

  it("writes to the node from the page's own command line, and sends a task the real worker runs", async () => {
    const page = await openPage(browser);
    await page.goto(`${server.url}/tasks?visibility=600`);
    await page.locator('[data-testid="tasks-node"][data-state="watching"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="workers"] tr[data-worker^="e2e@"][data-status="online"]').waitFor({ timeout: 30_000 });

    // A queue of its own, declared as kombu declares one (\x06\x16 typed as
    // redis-cli escapes), and a message pushed onto it: the Queues panel
    // shows it, as it shows what Celery pushes.
    let entry = await runCommand(page, 'SADD _kombu.binding.demo "demo\\x06\\x16\\x06\\x16demo"');
    assert.equal(await entry.getAttribute('data-state'), 'reply');
    assert.equal((await entry.locator('.console-reply').innerText()).trim(), '(integer) 1');
    assert.match(await entry.locator('.prompt').innerText(), new RegExp(`^${server.redis.replace(/\./g, '\\.')}>$`));
    entry = await runCommand(page, 'LPUSH demo "hello from the browser"');
    assert.equal((await entry.locator('.console-reply').innerText()).trim(), '(integer) 1');
    const demo = page.locator('[data-testid="queues"] [data-queue="demo"]');
    // The binding may arrive a frame before the push: wait for the push.
    await demo.locator('text=/demo \\(1\\)/').waitFor({ timeout: 15_000 });
    assert.match(await demo.innerText(), /not a task message/);
    entry = await runCommand(page, 'LRANGE demo 0 -1');
    assert.equal((await entry.locator('.console-reply').innerText()).trim(), '1) "hello from the browser"');
    // An example clicked runs at once.
    await page.locator('[data-testid="console"] button[data-example="KEYS *"]').click();
    entry = page.locator('[data-testid="console-history"] li[data-command="KEYS *"]').last();
    await entry.locator('xpath=self::li[@data-state="reply"]').waitFor({ timeout: 15_000 });
    assert.match(await entry.innerText(), /\d+\) "_kombu\.binding\.demo"/);
    // What redis-cli would print for errors and for lines it cannot split;
    // what would wait needs a real client, and is said so.
    entry = await runCommand(page, 'NOSUCH x');
    assert.equal(await entry.getAttribute('data-state'), 'error');
    assert.match(await entry.innerText(), /\(error\) ERR unknown command 'NOSUCH'/);
    entry = await runCommand(page, 'SET k "unclosed');
    assert.match(await entry.innerText(), /Invalid argument\(s\)/);
    entry = await runCommand(page, 'BLPOP demo 0');
    assert.equal(await entry.getAttribute('data-state'), 'refused');
    assert.match(await entry.innerText(), /BLPOP waits .* real client/);
    entry = await runCommand(page, 'RPOP demo');
    assert.equal((await entry.locator('.console-reply').innerText()).trim(), '"hello from the browser"', 'BLPOP took nothing');
    await demo.locator('text=/demo \\(0\\)/').waitFor({ timeout: 15_000 });

    // Send a task: celery_tasks.add(20, 22) pushed as Celery would; the
    // real worker runs it, and its result shows with Flower's columns.
    await page.locator('[data-testid="task-x"]').fill('20');
    await page.locator('[data-testid="task-y"]').fill('22');
    await page.locator('[data-testid="send-task"]').click();
    const sent = page.locator('[data-testid="console-history"] [data-sent-task]').last();
    await sent.waitFor({ timeout: 15_000 });
    const taskId = await sent.getAttribute('data-sent-task');
    const sentEntry = page.locator('[data-testid="console-history"] li').last();
    await sentEntry.locator('xpath=self::li[@data-state="reply"]').waitFor({ timeout: 15_000 });
    assert.match(await sentEntry.innerText(), /LPUSH celery "\{\\"body\\": /);
    const taskRow = page.locator(`[data-testid="tasks"] tr[data-task="${taskId}"][data-state="SUCCESS"]`);
    await taskRow.waitFor({ timeout: 30_000 });
    assert.match(await taskRow.innerText(), /celery_tasks\.add/);
    assert.match(await taskRow.innerText(), /\(20, 22\)/);
    assert.match(await taskRow.innerText(), /\b42\b/);
    assert.match(await taskRow.innerText(), /e2e@/);
    await assertFlowerTimes(taskRow);
    assert.match(workerLog, new RegExp(`celery_tasks\\.add\\[${taskId}\\] succeeded`), workerLog);
    await screenshot(page, 'tasks-console');
    assert.deepEqual(page.problems, []);

    // The refusal in Chinese.
    const zh = await openPage(browser);
    await zh.goto(`${server.url}/tasks?lang=zh&visibility=600`);
    await zh.locator('[data-testid="tasks-node"][data-state="watching"]').waitFor({ timeout: 15_000 });
    entry = await runCommand(zh, 'SUBSCRIBE news');
    assert.equal(await entry.getAttribute('data-state'), 'refused');
    assert.match(await entry.innerText(), /真正的客户端/);
    assert.deepEqual(zh.problems, []);
  });
});

/** Received and started derived (≈), finished reported, runtime derived, as seconds. */
async function assertFlowerTimes(taskRow) {
  for (const [col, derived] of [['received', 'true'], ['started', 'true'], ['finished', 'false'], ['runtime', 'true']]) {
    const cell = taskRow.locator(`[data-col="${col}"] [data-derived]`);
    assert.equal(await cell.getAttribute('data-derived'), derived, col);
    const text = await cell.innerText();
    if (col === 'runtime') assert.match(text, /^≈ \d+\.\d{3} s$/, text);
    else assert.match(text, derived === 'true' ? /^≈ \d\d:\d\d:\d\d\.\d{3}$/ : /^\d\d:\d\d:\d\d\.\d{3}$/, text);
  }
}

/** Types `line` into the page's command line, runs it, and returns its history entry once answered. */
async function runCommand(page, line) {
  const input = page.locator('[data-testid="console-line"]');
  await input.fill(line);
  await input.press('Enter');
  const entry = page.locator('[data-testid="console-history"] li').last();
  await entry.locator('xpath=self::li[not(@data-state="waiting")]').waitFor({ timeout: 15_000 });
  assert.equal(await entry.getAttribute('data-command'), line);
  return entry;
}

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

describe('Tasks view when a worker dies in the middle of an acks_late task', { skip: !PYTHON && 'FANOUT_PYTHON is not set (cargo xtask test sets it)' }, () => {
  // The promise of acks_late: a task whose worker vanished before it
  // acknowledged is not lost. kombu keeps it in `unacked`; once its
  // visibility timeout (2 s here) has passed, a live worker's restore sweep
  // puts it back on its queue, and a worker runs it again.
  let server;
  let browser;
  const workers = [];

  before(async () => {
    server = await startServer(['--cache-nodes', '0']);
    browser = await launchBrowser();
  });

  after(async () => {
    for (const worker of workers) await stop(worker);
    await browser?.close();
    await server?.stop();
  });

  it('shows the task restored after the visibility timeout and run again by a second worker', async () => {
    const page = await openPage(browser);
    await page.goto(`${server.url}/tasks?visibility=2`);
    await page.locator('[data-testid="tasks-node"][data-state="watching"]').waitFor({ timeout: 15_000 });
    const visibility = 2;
    const gateFile = join(mkdtempSync(join(tmpdir(), 'fanout-restore-')), 'open');
    const gateId = await send(server.redis, `gate.delay(${JSON.stringify(gateFile)})`);

    // The first worker reserves it and is killed in the middle of it.
    const firstLog = { text: '' };
    const first = startWorker(server.redis, 'first', firstLog, visibility);
    workers.push(first);
    const unacked = row(page, 'unacked', gateId);
    await unacked.waitFor({ timeout: 30_000 });
    await stop(first, 'SIGKILL');

    // Nothing acknowledged it: once the deadline passes, the second
    // worker's restore sweep puts it back, and that worker reserves it.
    const secondLog = { text: '' };
    workers.push(startWorker(server.redis, 'second', secondLog, visibility));
    const task = page.locator(`[data-testid="tasks"] tr[data-task="${gateId}"]`);
    await page.locator(`[data-testid="tasks"] tr[data-task="${gateId}"][data-steps~="restored"]`).waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="workers"] tr[data-worker^="second@"][data-status="online"]').waitFor({ timeout: 30_000 });
    writeFileSync(gateFile, '');
    await page.locator(`[data-testid="tasks"] tr[data-task="${gateId}"][data-state="SUCCESS"]`).waitFor({ timeout: 30_000 });

    const steps = (await task.getAttribute('data-steps')).split(' ');
    const restoredAt = steps.indexOf('restored');
    assert.deepEqual(steps.slice(0, 2), ['queued', 'reserved'], steps.join(' '));
    assert.ok(restoredAt >= 2, steps.join(' '));
    assert.ok(steps.slice(restoredAt + 1).includes('reserved'), `reserved again after the restore: ${steps.join(' ')}`);
    assert.ok(steps.includes('result'), steps.join(' '));
    assert.match(await task.innerText(), /restored 1×/);
    // The dead worker is not named for the run it never finished.
    assert.doesNotMatch(await task.innerText(), /first@/);
    assert.match(await task.innerText(), /SUCCESS/);
    assert.equal(await unacked.count(), 0, 'acknowledged by the second worker');
    assert.match(secondLog.text, new RegExp(`${gateId}.*succeeded`), secondLog.text);
    await screenshot(page, 'tasks-restored');
    assert.deepEqual(page.problems, []);
  });
});
