// Browser end-to-end harness: starts the real `fanout` binary on free ports,
// drives Debian's Chromium through playwright-core, and saves screenshots
// under target/e2e/ for a person to look at.
//
// Environment (set by `cargo xtask test`): FANOUT_BIN, CHROMIUM, E2E_OUT.

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const FANOUT_BIN = process.env.FANOUT_BIN ?? 'target/release/fanout';
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const E2E_OUT = process.env.E2E_OUT ?? 'target/e2e';

/**
 * Starts `fanout serve` on free ports (the web UI and, unless `extraArgs`
 * says otherwise, every cache node) and resolves once it has printed its URL
 * and its cache nodes' addresses. Unless `extraArgs` names one, it keeps
 * durable rooms in a directory of its own (`--data-dir`), removed on stop:
 * tests never share the user's.
 */
export async function startServer(extraArgs = []) {
  const args = ['serve', '--http', '127.0.0.1:0', ...extraArgs];
  if (!extraArgs.includes('--memcached')) args.push('--memcached', '127.0.0.1:0');
  if (!extraArgs.includes('--redis')) args.push('--redis', '127.0.0.1:0');
  const dataDir = extraArgs.includes('--data-dir') ? null : mkdtempSync(join(tmpdir(), 'fanout-e2e-'));
  if (dataDir) args.push('--data-dir', dataDir);
  const child = spawn(FANOUT_BIN, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const cacheNodes = [];
  let redis = null;
  const url = await new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`fanout did not start in 20 s:\n${stderr}`)), 20_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      // Cache nodes are announced first ("memcached node 0 on ADDR"), the
      // web address last, once everything is bound.
      cacheNodes.length = 0;
      for (const [, id, addr] of stdout.matchAll(/memcached node (\d+) on (\S+)/g)) {
        cacheNodes[Number(id)] = addr;
      }
      redis = stdout.match(/redis node on (\S+)/)?.[1] ?? null;
      const match = stdout.match(/serving on (http:\/\/\S+?)\/?\s/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fanout exited with ${code} before serving:\n${stderr}`));
    });
  });
  return {
    url,
    /** memcached addresses (`host:port`), node 0 first. */
    cacheNodes,
    /** The Redis node's address (`host:port`), unless `--redis off`. */
    redis,
    child,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium with the flags this sandbox needs. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Opens a page that records console errors and uncaught exceptions, so a
 * test can assert a page loaded cleanly.
 */
export async function openPage(browser, { viewport = { width: 1280, height: 800 }, locale } = {}) {
  const context = await browser.newContext({ viewport, locale });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.problems = problems;
  return page;
}

/** Saves a full-page screenshot as target/e2e/<name>.png and returns its path. */
export async function screenshot(page, name) {
  mkdirSync(E2E_OUT, { recursive: true });
  const path = join(E2E_OUT, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Sends raw memcached text to `host:port` (as an outside client would) and
 * resolves with the reply once `until` matches it.
 */
export function memcached(addr, request, until = /\r\n$/) {
  const [host, port] = addr.split(':');
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port: Number(port) });
    let reply = '';
    socket.on('data', (chunk) => {
      reply += chunk;
      if (until.test(reply)) {
        socket.end();
        resolve(reply);
      }
    });
    socket.on('error', reject);
    socket.write(request);
  });
}

/**
 * The frame-rate benchmarks' scenario (queues and reliability pages): one
 * publisher every 100 µs to ten subscribers over 10 ms links, marks
 * unlimited, so about 1,000 messages are in flight once it runs.
 */
export function inflight1000Scenario() {
  const nodes = [{
    name: 'publisher',
    program: { kind: 'producer', interval: '100us', payload: 'tick {n}' },
    sockets: [{ name: 'out', type: 'PUB', bind: ['tcp://ticks'] }],
  }];
  for (let i = 0; i < 10; i += 1) {
    nodes.push({
      name: `sub-${i}`,
      program: { kind: 'sink' },
      sockets: [{ name: 'in', type: 'SUB', connect: ['tcp://ticks'], subscribe: [''] }],
    });
  }
  return { name: 'inflight1000', network: { latency: '10ms', handshake: '1ms', sndhwm: 0, rcvhwm: 0 }, nodes };
}

/**
 * Counts animation frames on `page` for 5 s (a playing lab's): frames,
 * seconds, and the dots drawn at the end (0 where the page draws none).
 */
export function countFrames(page) {
  return page.evaluate(() => new Promise((resolve) => {
    let frames = 0;
    const start = performance.now();
    const tick = () => {
      frames += 1;
      if (performance.now() - start < 5000) requestAnimationFrame(tick);
      else resolve({ frames, seconds: (performance.now() - start) / 1000, dots: Number(document.querySelector('canvas.message-layer')?.dataset.dots ?? 0) });
    };
    requestAnimationFrame(tick);
  }));
}


/** Opens a queue-lab page (`/queues`, `/reliability`) and waits for its canvas. */
export async function openQueueLab(page, url) {
  await page.goto(url);
  await page.locator('.queue-lab[data-step]').waitFor({ timeout: 15_000 });
  await page.locator('.queue-lab g.node').first().waitFor({ timeout: 15_000 });
}

/** Opens a queue-lab page for a live room and waits for its server link. */
export async function openLiveLab(page, url) {
  await page.goto(url);
  await page.locator('.queue-lab[data-step]').waitFor({ timeout: 15_000 });
  await page.locator('.link-badge[data-state="connected"]').waitFor({ timeout: 15_000 });
}

/** Waits until the lab's data-step is above `step` (a room runs on); returns it. */
export async function stepAbove(page, step) {
  await page.waitForFunction(
    (least) => Number(document.querySelector('.queue-lab')?.dataset.step) > least,
    step,
    { timeout: 20_000 },
  );
  return Number(await page.locator('.queue-lab').getAttribute('data-step'));
}

/** What `fanout sim` prints (`--json`) for a scenario and seed, after
 * `steps` events (or the whole run). */
export function fanoutSim(scenario, seed, steps) {
  const limit = steps === undefined ? [] : ['--steps', String(steps)];
  const out = execFileSync(FANOUT_BIN, ['sim', '--scenario', scenario, '--seed', String(seed), ...limit, '--json']);
  return JSON.parse(out.toString());
}
