// Live rooms in the queue lab, in headless Chromium against the real
// server: a teacher's page runs the pipeline live and gets a join code and
// link; a student's page (in Chinese) opens the link, joins as a PULL
// worker and receives tasks; the teacher's canvas shows the student's node;
// "Stop and replay offline" closes the room for everyone and steps through
// the recording in the ordinary lab. Without a server the button says what
// live runs need and how to point a page at one. A room that runs brokers
// (which this page, built without the reliability engine, cannot read) is
// left with a sentence and a link to the reliability lab. Screenshots go to
// target/e2e/rooms-*.png.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openLiveLab as openLab, openPage, screenshot, startServer, stepAbove } from './harness.mjs';

const CODE = /^[ACDEFHJKMNPRTWXY3479]{3}-[ACDEFHJKMNPRTWXY3479]{3}$/;

describe('live rooms in the queue lab', () => {
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

  it('a teacher runs the pipeline live, a student joins by link as a worker, and the run replays offline', async () => {
    const teacher = await openPage(browser);
    await openLab(teacher, `${server.url}/queues?scenario=pipeline&seed=7`);
    await teacher.getByRole('button', { name: 'Run live' }).click();

    const code = await teacher.locator('.live-room .room-code').textContent({ timeout: 15_000 });
    assert.match(code, CODE);
    const link = await teacher.locator('.live-room .join-link input').inputValue();
    assert.equal(link, `${server.url}/queues?room=${code}`);
    // The teacher's canvas now draws the room: its clock runs on the server.
    const first = await stepAbove(teacher, 0);
    await stepAbove(teacher, first);
    assert.equal(await teacher.locator('.queue-controls').count(), 0, 'no local play controls while live');
    await teacher.locator('g.node[data-node="ventilator"]').waitFor();

    // The student opens the link in Chinese and joins as a PULL worker.
    const student = await openPage(browser);
    await openLab(student, `${link}&lang=zh`);
    await student.locator(`.live-room[data-room="${code}"]`).waitFor({ timeout: 15_000 });
    // Its own page had opened the default scenario (pi): the canvas now
    // draws the room's pipeline, with the room's names.
    await student.locator('g.node[data-node="ventilator"]').waitFor({ timeout: 15_000 });
    assert.equal(await student.locator('g.node[data-node="bitsource"]').count(), 0);
    await student.getByRole('button', { name: '作为 PULL 工作者加入' }).click();
    const mine = student.locator('.live-worker.mine');
    await mine.waitFor({ timeout: 15_000 });
    const node = await mine.getAttribute('data-node');
    assert.ok(node, 'the worker has a node name');
    await student.waitForFunction(
      () => Number(document.querySelector('.live-worker.mine')?.dataset.received) > 0,
      null,
      { timeout: 20_000 },
    );
    const received = Number(await mine.getAttribute('data-received'));
    assert.ok(received > 0, `the student's worker received ${received}`);
    assert.ok(await student.locator('.last-messages li').count() > 0, 'the last messages are listed');
    assert.match(await mine.locator('h3').textContent(), /你的工作者/);

    // The teacher sees the student's node on the canvas, connected, with
    // the exact count the server keeps.
    const card = teacher.locator(`g.node[data-node="${node}"]`);
    await card.waitFor({ timeout: 15_000 });
    await student.locator(`g.node[data-node="${node}"]`).waitFor({ timeout: 15_000 });
    await teacher.waitForFunction(
      () => Number(document.querySelector('.live-status')?.dataset.members) === 2,
      null,
      { timeout: 15_000 },
    );
    await card.locator('.card-body').click({ position: { x: 30, y: 14 } });
    await teacher.waitForFunction(
      () => Number(document.querySelector('.node-panel [data-counter="received"]')?.textContent) > 0,
      null,
      { timeout: 15_000 },
    );
    // The room is the server's to change: the local editor's controls are
    // there (the panel is the offline one) but hidden.
    assert.equal(await teacher.locator('.node-panel .remove-node').count(), 1);
    assert.equal(await teacher.locator('.node-panel .remove-node').isVisible(), false, 'no local "Remove this node" while live');
    assert.equal(await teacher.locator('.node-panel .add-socket').isVisible(), false, 'no local "Add a socket" while live');
    // The log captions the room's events in words.
    assert.ok(await teacher.locator('.log-row').count() > 0, 'the log shows the room\'s events');
    await screenshot(teacher, 'rooms-teacher-1280');
    await screenshot(student, 'rooms-student-zh-1280');

    // Stop and replay offline: the room closes for everyone, and the
    // teacher steps through the recording with the ordinary controls.
    const liveStep = Number(await teacher.locator('.queue-lab').getAttribute('data-step'));
    await teacher.getByRole('button', { name: 'Stop and replay offline' }).click();
    await teacher.locator('.queue-controls .scrubber input').waitFor({ timeout: 30_000 });
    assert.equal(await teacher.locator('.live-room .room-code').count(), 0);
    const replayed = Number(await teacher.locator('.queue-lab').getAttribute('data-step'));
    assert.ok(replayed >= liveStep, `the replay reaches step ${replayed} (live view was at ${liveStep})`);
    await teacher.locator(`g.node[data-node="${node}"]`).waitFor();
    await student.locator('[data-live-notice]').waitFor({ timeout: 15_000 });
    // The server's fact (room_closed's end), said in the student's language.
    assert.match(await student.locator('[data-live-notice]').textContent(), /创建者关闭了房间/);
    assert.equal(await student.locator('.live-worker.mine').count(), 0);
    // Stepping back works on the replayed run.
    await teacher.evaluate(() => document.activeElement?.blur());
    await teacher.keyboard.press('ArrowLeft');
    await teacher.locator(`.queue-lab[data-step="${replayed - 1}"]`).waitFor();
    await screenshot(teacher, 'rooms-teacher-replay-1280');
    await screenshot(student, 'rooms-student-ended-zh-1280');
    assert.deepEqual([...teacher.problems, ...student.problems], []);
  });

  it('the creator who reloads the page is still the owner; another tab with the link is a participant', async () => {
    const teacher = await openPage(browser);
    await openLab(teacher, `${server.url}/queues?scenario=pipeline&seed=7&lang=en`);
    await teacher.getByRole('button', { name: 'Run live' }).click();
    const code = await teacher.locator('.live-room .room-code').textContent({ timeout: 15_000 });
    // The creator's address is the room's join link now, so a reload rejoins it.
    assert.equal(new URL(teacher.url()).search, `?room=${code}&lang=en`);
    await teacher.reload();
    await teacher.locator(`.live-room[data-room="${code}"]`).waitFor({ timeout: 15_000 });
    await teacher.getByRole('button', { name: 'Close the room' }).waitFor({ timeout: 15_000 });
    await stepAbove(teacher, 0);

    // The same link in another tab (its own sessionStorage) joins as a participant.
    const other = await teacher.context().newPage();
    await openLab(other, `${server.url}/queues?room=${code}`);
    await other.locator(`.live-room[data-room="${code}"]`).waitFor({ timeout: 15_000 });
    await other.getByRole('button', { name: 'Leave the room' }).waitFor();
    assert.equal(await other.getByRole('button', { name: 'Close the room' }).count(), 0);

    // Closing forgets the room: the address shows the local run again.
    await teacher.getByRole('button', { name: 'Close the room' }).click();
    await teacher.locator('.queue-controls').waitFor({ timeout: 15_000 });
    assert.ok(!new URL(teacher.url()).searchParams.has('room'), teacher.url());
    assert.equal(await teacher.evaluate(() => sessionStorage.length), 0);
    assert.deepEqual(teacher.problems, []);
  });

  it('a room that runs brokers is one this page cannot show: it says so and links to the reliability lab', async () => {
    const page = await openPage(browser);
    // A broker lesson's room, created by another client (a WebSocket of
    // the page's own origin, as a script would).
    await openLab(page, `${server.url}/queues?lang=en`);
    const code = await page.evaluate(async (url) => new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
      ws.onerror = () => reject(new Error('the WebSocket failed'));
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', protocol: 1, client: 'e2e' }));
      ws.onmessage = (m) => {
        const frame = JSON.parse(m.data);
        if (frame.type === 'welcome') ws.send(JSON.stringify({ type: 'room_create', scenario: 'at-least-once', seed: 3 }));
        else if (frame.type === 'room_joined') resolve(frame.room);
        else if (frame.type === 'error') reject(new Error(frame.message));
      };
    }), server.url);
    await openLab(page, `${server.url}/queues?room=${code}&lang=en`);
    const notice = page.locator('[data-live-notice="runs-brokers"]');
    await notice.waitFor({ timeout: 15_000 });
    assert.match(await notice.textContent(), /runs brokers and task programs/);
    assert.equal(await notice.locator('a').getAttribute('href'), `/reliability?room=${code}`);
    assert.equal(await page.locator('.live-room .room-code').count(), 0, 'not shown as in the room');
    await page.locator('.queue-controls').waitFor();
    await screenshot(page, 'rooms-runs-brokers');
    assert.deepEqual(page.problems, []);
    await page.close();
  });

  it('a member sends by hand into the room: the π tally counts a typed Y', async () => {
    const teacher = await openPage(browser);
    await openLab(teacher, `${server.url}/queues?scenario=pi&seed=7`);
    await teacher.getByRole('button', { name: 'Run live' }).click();
    await teacher.locator('.live-room .room-code').waitFor({ timeout: 15_000 });
    const form = teacher.locator('form.send-by-hand');
    // π binds one PULL, the tally's: a hand sender is a PUSH connected there.
    assert.match(await form.locator('.hint').textContent(), /PUSH socket connected to tcp:\/\/127\.0\.0\.1:6702/);
    await form.locator('input').fill('Y');
    for (let sent = 1; sent <= 3; sent += 1) {
      await form.getByRole('button', { name: 'Send' }).click();
      // The first send may meet EAGAIN while the new PUSH connects; the
      // status says so, and the next click goes.
      await teacher.waitForFunction(
        (n) => Number(document.querySelector('.sent-status')?.dataset.sent ?? 0) >= n || /EAGAIN/.test(document.querySelector('.sent-status')?.textContent ?? ''),
        sent,
        { timeout: 15_000 },
      );
    }
    await teacher.waitForFunction(() => Number(document.querySelector('.sent-status')?.dataset.sent) >= 1, null, { timeout: 15_000 });
    const status = await teacher.locator('.sent-status').textContent();
    assert.match(status, /has sent \d+\. (Last: m\d+\.|Not sent)/, status);
    // The hand sender is a node of the room, drawn on the canvas with its pipe to the tally.
    const node = await teacher.locator('.sent-status').getAttribute('data-node');
    await teacher.locator(`g.node[data-node="${node}"]`).waitFor({ timeout: 15_000 });
    await screenshot(teacher, 'rooms-send-by-hand');
    await teacher.getByRole('button', { name: 'Close the room' }).click();
    assert.deepEqual(teacher.problems, []);
  });

  it('an unknown code is refused in words, and the lab still simulates', async () => {
    const page = await openPage(browser);
    await openLab(page, `${server.url}/queues?room=AAA-AAA`);
    const notice = page.locator('[data-live-notice]');
    await notice.waitFor({ timeout: 15_000 });
    assert.match(await notice.textContent(), /no room "AAA-AAA"/);
    await page.getByRole('button', { name: 'Run live' }).waitFor();
    await page.locator('.queue-controls').waitFor();
    // The refusal is logged by the link as a warning, not an error.
    assert.deepEqual(page.problems, []);
  });

  it('without a server, Run live says what it needs and how to point at one', async () => {
    const own = await startServer();
    const page = await openPage(browser);
    await openLab(page, `${own.url}/queues?scenario=pipeline`);
    await own.stop();
    await page.locator('.link-badge[data-state="offline"]').waitFor({ timeout: 15_000 });
    const notice = page.locator('.live-room [data-needs-server="missing"]');
    await notice.waitFor();
    assert.match(await notice.textContent(), /Live runs need a Fanout server/);
    assert.match(await notice.textContent(), /\?server=HOST:PORT/);
    assert.ok(await page.getByRole('button', { name: 'Run live' }).isDisabled());
    await screenshot(page, 'rooms-no-server-1280');
  });
});
