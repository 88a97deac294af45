// A real ZeroMQ program in a live room, in headless Chromium against the
// real server: a teacher's page runs the pipeline live, its "Run live"
// panel says where ZeroMQ programs connect, a pyzmq PULL worker (a real
// process, pyzmq from FANOUT_PYTHON) connects there, and the teacher's
// canvas shows the program's node with the messages the room's ventilator
// gave it; a π room's panel gives the chapter's commands, and the judge
// they start appears on the canvas. Screenshots go to target/e2e/zmtp-*.png.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, openPage, screenshot, startServer } from './harness.mjs';

const PYTHON = process.env.FANOUT_PYTHON;

/** A pyzmq PULL worker receiving from `url` until it is killed. */
function pullWorker(url) {
  const code = [
    'import zmq',
    'pull = zmq.Context().socket(zmq.PULL)',
    `pull.connect('${url}')`,
    'while True:',
    '    pull.recv_string()',
  ].join('\n');
  return spawn(PYTHON, ['-c', code], { stdio: ['ignore', 'ignore', 'inherit'] });
}

describe('a real ZeroMQ program in a live room', { skip: !PYTHON && 'FANOUT_PYTHON is not set (cargo xtask test sets it)' }, () => {
  let server;
  let browser;
  let worker;
  let judge;

  before(async () => {
    server = await startServer(['--zmtp-ports', 'free']);
    browser = await launchBrowser();
  });

  after(async () => {
    worker?.kill();
    judge?.kill();
    await browser?.close();
    await server?.stop();
  });

  it('the Run live panel lists the endpoints, and the canvas shows the pyzmq worker\'s node and messages', async () => {
    const teacher = await openPage(browser);
    await teacher.goto(`${server.url}/queues?scenario=pipeline&seed=7`);
    await teacher.locator('.link-badge[data-state="connected"]').waitFor({ timeout: 15_000 });
    await teacher.getByRole('button', { name: 'Run live' }).click();
    await teacher.locator('.live-room .room-code').waitFor({ timeout: 15_000 });

    // Where ZeroMQ programs connect: the ventilator's PUSH, on a port.
    const entry = teacher.locator('.live-zmtp li[data-endpoint="tcp://ventilator"]');
    await entry.waitFor({ timeout: 15_000 });
    const port = Number(await entry.getAttribute('data-port'));
    assert.ok(port > 0, `a port: ${port}`);
    const text = await entry.textContent();
    assert.match(text, /PUSH of ventilator/);
    assert.ok(text.includes(`tcp://127.0.0.1:${port}`), text);

    worker = pullWorker(`tcp://127.0.0.1:${port}`);
    // The program's socket is a node of the room, drawn like the others.
    const card = teacher.locator('g.node[data-node^="PULL 127.0.0.1:"]');
    await card.waitFor({ timeout: 20_000 });
    await card.locator('.card-body').click({ position: { x: 30, y: 14 } });
    await teacher.waitForFunction(
      () => Number(document.querySelector('.node-panel [data-counter="received"]')?.textContent) > 0,
      null,
      { timeout: 20_000 },
    );
    await screenshot(teacher, 'zmtp-teacher-1280');
    assert.deepEqual(teacher.problems, []);
  });

  it('a π room\'s panel gives the chapter\'s commands, and the judge they start appears on the canvas', async () => {
    const teacher = await openPage(browser);
    await teacher.goto(`${server.url}/queues?scenario=pi&seed=7`);
    await teacher.locator('.link-badge[data-state="connected"]').waitFor({ timeout: 15_000 });
    await teacher.getByRole('button', { name: 'Run live' }).click();
    const commands = await teacher.locator('.live-zmtp pre.zmtp-pi').textContent({ timeout: 15_000 });
    assert.ok(commands.includes(`curl -O ${server.url}/clients/queuepi.py`), commands);
    // Run the judge's line as the panel gives it, with the listing the
    // server serves.
    const line = commands.split('\n').find((l) => l.includes('queuepi.judge('));
    assert.ok(line, commands);
    const code = line.match(/^python3 -c "(.*)"$/)?.[1];
    assert.ok(code, line);
    const dir = mkdtempSync(join(tmpdir(), 'fanout-e2e-queuepi-'));
    const listing = await (await fetch(`${server.url}/clients/queuepi.py`)).text();
    writeFileSync(join(dir, 'queuepi.py'), listing);
    judge = spawn(PYTHON, ['-c', code], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    // Its three sockets are nodes of the room: the REQ asking pythagoras.
    const asker = teacher.locator('g.node[data-node^="REQ 127.0.0.1:"]');
    await asker.waitFor({ timeout: 20_000 });
    await asker.locator('.card-body').click({ position: { x: 30, y: 14 } });
    await teacher.waitForFunction(
      () => Number(document.querySelector('.node-panel [data-counter="received"]')?.textContent) > 0,
      null,
      { timeout: 20_000 },
    );
    await screenshot(teacher, 'zmtp-pi-teacher-1280');
    judge.kill();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(teacher.problems, []);
  });
});
