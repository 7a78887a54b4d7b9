// Shared pieces of the browser end-to-end tests: serve the trunk-built dist/ on
// loopback and drive Debian's Chromium with playwright-core. Nothing is downloaded.
import http from 'node:http';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dist = path.join(root, 'dist');
export const artifacts = path.join(root, 'tests', 'artifacts');

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** Serves `dir` (dist/ unless given) on 127.0.0.1 at a free port; resolves to { url, close }. */
export async function serveDist(dir = dist) {
  if (!fs.existsSync(path.join(dir, 'index.html'))) {
    throw new Error(`no ${dir}/index.html: run 'trunk build --release' first`);
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let file = path.normalize(path.join(dir, decodeURIComponent(url.pathname)));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

/** Launches headless Chromium with the flags that work on this machine kind, as root. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
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

/** Opens a page in the given browser language and collects console errors. */
export async function openPage(browser, url, locale = 'en-US') {
  const context = await browser.newContext({ locale, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(url);
  return { page, errors, context };
}

export async function screenshot(page, name) {
  fs.mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The workspace version from Cargo.toml: what the page must show as the core's version. */
/**
 * Waits (bounded) until the page's simulation worker serves worlds: the worker
 * imports the pages module (app_pages.js, one module for the pages and the
 * worker) and, once it has compiled and initialised it, gloo-worker's registrar
 * sets the worker's onmessage.
 */
export async function workerServing(page, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    for (const w of page.workers()) {
      if (await w.evaluate(() => self.onmessage !== null).catch(() => false)) return;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`no simulation worker serving after ${timeoutMs} ms (workers: ${page.workers().map((w) => w.url()).join(', ')})`);
}

export function workspaceVersion() {
  const toml = fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8');
  const m = toml.match(/\[workspace\.package\][^[]*?version\s*=\s*"([^"]+)"/);
  if (!m) throw new Error('no [workspace.package] version in Cargo.toml');
  return m[1];
}

/**
 * The built app served on loopback and a headless Chromium, for the tests of one
 * file: started before the first, closed after the last. Returns an object whose
 * `server` and `browser` are set once `before` has run.
 */
export function appUnderTest() {
  const app = { server: undefined, browser: undefined };
  before(async () => {
    app.server = await serveDist();
    app.browser = await launchBrowser();
  });
  after(async () => {
    await app.browser?.close();
    await app.server?.close();
  });
  return app;
}

/**
 * The mqttlab binary: $MQTTLAB_BIN, else $CARGO_TARGET_DIR/debug/mqttlab (relative
 * to the repository when relative), else target/debug/mqttlab; built with `cargo
 * build -p mqttlab-server` when missing or older than the sources. Looked up once
 * per test file.
 */
let mqttlabBinFound;
export function mqttlabBin() {
  mqttlabBinFound ??= findMqttlab();
  return mqttlabBinFound;
}

function findMqttlab() {
  if (process.env.MQTTLAB_BIN) return process.env.MQTTLAB_BIN;
  const targetDir = process.env.CARGO_TARGET_DIR
    ? path.resolve(root, process.env.CARGO_TARGET_DIR)
    : path.join(root, 'target');
  const bin = path.join(targetDir, 'debug', 'mqttlab');
  const newest = (dir) =>
    Math.max(
      0,
      ...fs.readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs,
      ),
    );
  const sources = Math.max(...['server/src', 'core/src', 'static/sweeps', 'static/scenarios'].map((d) => newest(path.join(root, d))));
  if (!fs.existsSync(bin) || fs.statSync(bin).mtimeMs < sources) {
    const r = spawnSync('cargo', ['build', '-p', 'mqttlab-server'], { cwd: root, stdio: 'inherit', timeout: 900_000 });
    if (r.status !== 0) throw new Error('cargo build -p mqttlab-server failed');
  }
  return bin;
}

/** A TCP port free on 127.0.0.1 just now (the kernel's choice). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port; `what` names it if nothing does in time. */
export async function waitForPort(port, what, timeout = 15_000) {
  const t0 = Date.now();
  for (;;) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - t0 > timeout) throw new Error(`${what} did not listen on port ${port} within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Moves the timeline's slider to `us` as a drag does, and waits until the page
 * shows that moment; returns the page's own "rebuilt in" figure (the worker's
 * round trip), the time from the input event to the first animation frame
 * after the DOM shows the moment (its panels, with the figure), both in ms,
 * and how much of the page was built again for it: elements and text nodes
 * added, and texts and attributes changed (a figure the machine's load does
 * not move).
 */
export const scrubTo = (page, us) =>
  page.evaluate(
    (us) =>
      new Promise((resolve, reject) => {
        const slider = document.querySelector('#scrub');
        let built = 0;
        const count = (records) => {
          for (const r of records) built += r.type === 'childList' ? r.addedNodes.length : 1;
        };
        const observer = new MutationObserver(count);
        observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
        const t0 = performance.now();
        slider.value = String(us);
        slider.dispatchEvent(new Event('input', { bubbles: true }));
        const give_up = t0 + 20_000;
        const poll = () => {
          const at = document.querySelector('#scrub-at');
          const took = document.querySelector('#scrub-took');
          if (at && Number(at.dataset.at) === us && took) {
            const shownMs = performance.now() - t0;
            count(observer.takeRecords());
            observer.disconnect();
            resolve({ shownMs, workerMs: Number(took.dataset.ms), built });
          } else if (performance.now() > give_up) {
            observer.disconnect();
            reject(new Error(`the moment ${us} µs never showed (${at?.dataset.at})`));
          } else {
            requestAnimationFrame(poll);
          }
        };
        requestAnimationFrame(poll);
      }),
    us,
  );
