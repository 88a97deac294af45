// The reliability page's live rooms, in headless Chromium against the real
// server: the queue lab's "Run live" panel on /reliability, which follows a
// room by replaying the room's recording with the page's own engine. A
// teacher runs a scenario live; the page's canvas, digest and panels are the
// room's, stepped exactly as `fanout sim` steps the same scenario and seed
// (nobody acted in the room, so its run is the scenario's own); the
// creator's reload rejoins as the owner, another tab joins as a
// participant; the creator crashes a worker from the fault toolbar (sent
// to the room as `room_act`), which the participant, who has no toolbar,
// sees too; closing brings the local run back. A broker lesson run live
// shows its guarantee meter, brokers and task table as the offline run
// does at the same step, and a student's worker.py crashing mid-task has
// that task delivered again, in the page's task table.
//
// Screenshots go to target/e2e/reliability-live-*.png.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fanoutSim as sim, launchBrowser, openLiveLab as open, openPage, screenshot, startServer, stepAbove } from './harness.mjs';

const PYTHON = process.env.FANOUT_PYTHON ?? 'target/python/bin/python';
const CODE = /^[ACDEFHJKMNPRTWXY3479]{3}-[ACDEFHJKMNPRTWXY3479]{3}$/;

/** The guarantee meter's counts, by outcome. */
async function meterOf(page) {
  await page.locator('.rel-meter .rel-bucket').first().waitFor();
  return page.locator('.rel-meter .rel-bucket').evaluateAll((bs) =>
    Object.fromEntries(bs.map((b) => [b.dataset.outcome, Number(b.querySelector('.count').textContent)])));
}

/** The lab's step and digest, read together. */
async function position(page) {
  return page.evaluate(() => {
    const lab = document.querySelector('.queue-lab');
    return { step: Number(lab.dataset.step), digest: lab.dataset.digest, time: Number(lab.dataset.time) };
  });
}

describe('live rooms on the reliability page', () => {
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

  it('runs a scenario live, draws the room exactly as the engine runs it, and keeps the owner across a reload', async () => {
    const teacher = await openPage(browser);
    // A scenario every room accepts (the lessons have brokers or scheduled
    // faults, which rooms refuse until they run the engine: the next test).
    await open(teacher, `${server.url}/reliability?scenario=pipeline&seed=5&lang=en`);
    await teacher.getByRole('button', { name: 'Run live' }).click();
    const code = await teacher.locator('.live-room .room-code').textContent({ timeout: 15_000 });
    assert.match(code, CODE);
    assert.equal(
      await teacher.locator('.live-room .join-link input').inputValue(),
      `${server.url}/reliability?room=${code}`,
    );
    // The room runs on the server; the page replays its recording as it grows.
    const first = await stepAbove(teacher, 0);
    await stepAbove(teacher, first);
    assert.equal(await teacher.locator('.queue-controls').count(), 0, 'no local play controls while live');
    assert.equal(await teacher.locator('.rel-predict').count(), 0, 'no prediction while live');
    await teacher.locator('.rel-faults').waitFor();
    assert.equal(await teacher.locator('form.send-by-hand, .join-worker, .zmtp').count(), 0, 'no ZeroMQ hands here');
    await teacher.locator('g.node[data-node="ventilator"]').waitFor();
    // Nobody acted in the room, so its run is the scenario's own: the page
    // shows exactly what `fanout sim` computes at the same step.
    const at = await position(teacher);
    const want = sim('pipeline', 5, at.step);
    assert.equal(at.digest, want.trace_digest, `step ${at.step}`);
    await screenshot(teacher, 'reliability-live-pipeline');

    // The creator's address is the join link: a reload rejoins as the owner.
    assert.equal(new URL(teacher.url()).search, `?room=${code}&lang=en`);
    await teacher.reload();
    await teacher.locator(`.live-room[data-room="${code}"]`).waitFor({ timeout: 15_000 });
    await teacher.getByRole('button', { name: 'Close the room' }).waitFor({ timeout: 15_000 });
    await stepAbove(teacher, at.step);

    // Another tab with the link (its own sessionStorage), in Chinese, is a
    // participant, and sees the same run.
    const student = await teacher.context().newPage();
    student.problems = [];
    student.on('pageerror', (error) => student.problems.push(`page error: ${error.message}`));
    student.on('console', (m) => m.type() === 'error' && student.problems.push(`console error: ${m.text()}`));
    await open(student, `${server.url}/reliability?room=${code}&lang=zh`);
    await student.locator(`.live-room[data-room="${code}"]`).waitFor({ timeout: 15_000 });
    await student.getByRole('button', { name: '离开房间' }).waitFor();
    assert.equal(await student.getByRole('button', { name: '关闭房间' }).count(), 0);
    await screenshot(student, 'reliability-live-student-zh');
    const seen = await position(student);
    assert.equal(seen.digest, sim('pipeline', 5, seen.step).trace_digest, `student at step ${seen.step}`);
    assert.equal(await student.locator('.rel-upper').count(), 0, 'faults are the creator\'s');
    // The creator's page counts the student (from the recordings it fetches).
    await teacher.locator('.live-room', { hasText: '2 members ·' }).waitFor({ timeout: 15_000 });

    // The creator crashes a worker from the toolbar: the room runs the
    // fault, and both pages, replaying the room's recording, show it.
    await teacher.locator('.rel-fault-node').selectOption('worker-2');
    await teacher.locator('button[data-fault="crash"]').click();
    for (const page of [teacher, student]) {
      await page.locator('g.node[data-node="worker-2"][data-state="crashed"]').waitFor({ timeout: 15_000 });
    }
    assert.deepEqual(await teacher.locator('.rel-refused .problem').allTextContents(), [], 'the room took the fault');
    await screenshot(teacher, 'reliability-live-crash');

    // Closing ends it for both and forgets the token.
    await teacher.getByRole('button', { name: 'Close the room' }).click();
    await teacher.locator('.queue-controls').waitFor({ timeout: 15_000 });
    await student.locator('[data-live-notice]').waitFor({ timeout: 15_000 });
    assert.ok(!new URL(teacher.url()).searchParams.has('room'), teacher.url());
    assert.equal(await teacher.evaluate(() => sessionStorage.length), 0);
    assert.deepEqual([...teacher.problems, ...student.problems], []);
    await teacher.close();
    await student.close();
  });

  it('a broker lesson run live shows its ledger as the offline run does, and a student worker crashing mid-task has it redelivered', async () => {
    const teacher = await openPage(browser);
    await open(teacher, `${server.url}/reliability?scenario=at-least-once&seed=3&lang=en`);
    await teacher.getByRole('button', { name: 'Run live' }).click();
    const code = teacher.locator('.live-room .room-code');
    await code.waitFor({ timeout: 15_000 });
    const roomCode = (await code.textContent()).trim();
    // The room as the page shows it early on, before anyone acts in it
    // (soon: the student below must join while tasks remain).
    await stepAbove(teacher, 0);
    const at = await position(teacher);
    const early = await meterOf(teacher);

    // A student's worker (worker.py, late acks) joins while tasks remain
    // and crashes in the middle of its first task: the room sees its
    // connection drop, and the task it held is delivered again.
    const ws = `${server.url.replace(/^http/, 'ws')}/ws`;
    const worker = spawn(PYTHON, ['static/clients/worker.py', '--url', ws, '--room', roomCode,
      '--name', 'student', '--ack', 'late', '--crash-after', '1']);
    let said = '';
    worker.stdout.on('data', (d) => { said += d; });
    worker.stderr.on('data', (d) => { said += d; });
    const exit = await new Promise((resolve) => worker.on('exit', resolve));
    const crashed = said.match(/student crashes in the middle of task (t\d+)/);
    assert.ok(crashed, `worker.py exited ${exit}: ${said}`);
    const task = crashed[1];
    // The table shows 40 rows until asked for all.
    const showAll = teacher.locator('.rel-table [data-pick="all"]');
    if (await showAll.count()) await showAll.click();
    await teacher.waitForFunction(
      (t) => Number(document.querySelector(`.rel-tasks tr.rel-task[data-task="${t}"] td:nth-child(3)`)?.textContent) >= 2,
      task,
      { timeout: 20_000 },
    );
    // Every task done: nothing is on its way any more.
    await teacher.waitForFunction(
      () => document.querySelector('.rel-bucket[data-outcome="pending"] .count')?.textContent === '0',
      null,
      { timeout: 30_000 },
    );
    // Its row's title is its ledger in a sentence; a click shows it too.
    const row = teacher.locator(`.rel-tasks tr.rel-task[data-task="${task}"]`);
    const ledger = await row.getAttribute('title');
    assert.match(ledger, /redelivered/, ledger);
    await row.click();
    assert.equal(await teacher.locator('.rel-task-ledger').textContent(), ledger);
    await teacher.locator('.rel-brokers .rel-broker').first().waitFor();
    await screenshot(teacher, 'reliability-live-student-crash');
    const done = await meterOf(teacher);
    assert.equal(Object.values(done).reduce((a, b) => a + b), 20, JSON.stringify(done));

    // The room's whole recording, replayed offline, ends with the same
    // ledger as the page that followed it.
    await teacher.getByRole('button', { name: 'Stop and replay offline' }).click();
    await teacher.locator('.queue-controls').waitFor({ timeout: 15_000 });
    assert.deepEqual(await meterOf(teacher), done);
    const showAllOffline = teacher.locator('.rel-table [data-pick="all"]');
    if (await showAllOffline.count()) await showAllOffline.click();
    assert.equal(await row.getAttribute('title'), ledger);

    // The early position offline: the same digest and the same meter.
    const offline = await openPage(browser);
    await open(offline, `${server.url}/reliability?scenario=at-least-once&seed=3&step=${at.step}&t=${at.time}&lang=en`);
    const there = await position(offline);
    assert.equal(there.step, at.step);
    assert.equal(there.digest, at.digest);
    assert.deepEqual(await meterOf(offline), early);
    assert.deepEqual([...teacher.problems, ...offline.problems], []);
    await offline.close();
    await teacher.close();
  });
});
