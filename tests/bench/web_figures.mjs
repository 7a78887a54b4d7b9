// Figures for the browser lab, measured in headless Chromium on the trunk-built
// dist/: bundle size, time from load to interactive, how fast the app runs and
// shows a world of 100,000 packets end to end (and where that time goes: the
// worker's slices, the page's work), frame times while scrolling its diagram, and
// the scale world of issue 17 in the page (memory of the page and of the worker,
// frame times, a screenshot of the diagram while it runs).
//
//   node tests/bench/web_figures.mjs          (after `trunk build --release`)
//   node tests/bench/web_figures.mjs scale    (the scale world only)
//   node tests/bench/web_figures.mjs load     (bundle size and load times only)
//   DIST=/path/to/dist node tests/bench/web_figures.mjs   (another build)
//   SCALE_SENSORS=10000 SCALE_SECONDS=3600 SCALE_BUDGET_S=120   the scale world's size and time bound
//
// A benchmark, not a test: it prints figures and fails only if the page breaks.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serveDist, launchBrowser, openPage, dist as built, artifacts } from '../e2e/harness.mjs';

// DIST=DIR measures another build (an A/B against main's, on the same machine at once).
const dist = process.env.DIST ? path.resolve(process.env.DIST) : built;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

// 1. Bundle size, per file, then the targets of issue 17: page and worker together
// at most 400 KB gzipped, and the page's own first load (what the browser must
// fetch before the page is interactive: html, the shell's js and wasm and its
// snippets, css) at most 200 KB gzipped. The pages module (app_pages: every page
// but the labs list) and the worker load after the labs list is drawn, off the
// critical path.
const KB = 1000;
const gz = {};
const files = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? files(path.join(dir, e.name)).map((f) => path.join(e.name, f)) : [e.name]);
for (const f of files(dist).sort()) {
  if (!/\.(wasm|js|css|html)$/.test(f)) continue;
  const raw = fs.readFileSync(path.join(dist, f));
  gz[f] = zlib.gzipSync(raw, { level: 9 }).length;
  console.log(`bundle ${f.replace(/-[0-9a-f]{8,}/g, '')}: ${(raw.length / KB).toFixed(0)} KB, ${(gz[f] / KB).toFixed(0)} KB gzipped`);
}
const sum = (pred) => Object.entries(gz).filter(([f]) => pred(f)).reduce((a, [, n]) => a + n, 0);
// The pages module is also the worker's code (one module, src/bin/app_pages.rs).
const isPages = (f) => f.startsWith('app_pages');
const firstLoad = sum((f) => !isPages(f));
const total = sum((f) => /\.wasm$/.test(f) || /\.js$/.test(f));
console.log(`first load (html, shell js and wasm, css): ${(firstLoad / KB).toFixed(0)} KB gzipped (target at most 200 KB)`);
console.log(`pages module, also the worker's (loaded after the labs list): ${(sum(isPages) / KB).toFixed(0)} KB gzipped`);
console.log(`page and worker (js and wasm, all modules): ${(total / KB).toFixed(0)} KB gzipped (target at most 400 KB)`);

const server = await serveDist(dist);
const browser = await launchBrowser();
try {
  if (process.argv[2] !== 'scale') await loadFigures();
  if (process.argv[2] !== 'scale' && process.argv[2] !== 'load') await appFigures();
  if (process.argv[2] !== 'load') await scaleWorld(browser);
} finally {
  await browser.close();
  await server.close();
}

/**
 * Load to interactive: navigation start until the labs list (a `.lab-card`) is in
 * the page, and until a lab's link shows its first step. The moment is taken in
 * the page when the element is inserted (a MutationObserver set up before the
 * page's own scripts), not when the test's polling sees it.
 */
async function loadFigures() {
  const timeTo = async (url, selector) => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
    await context.addInitScript((sel) => {
      new MutationObserver((_, o) => {
        if (document.querySelector(sel)) {
          window.__shown = performance.now();
          o.disconnect();
        }
      }).observe(document, { subtree: true, childList: true, attributes: true });
    }, selector);
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector(selector);
    const ms = await page.evaluate(() => window.__shown);
    await context.close();
    return ms;
  };
  const loads = [];
  const labLoads = [];
  for (let i = 0; i < 5; i++) {
    loads.push(await timeTo(`${server.url}#/labs`, '.lab-card'));
    labLoads.push(await timeTo(`${server.url}#/lab/last-will`, '#step-1.current'));
  }
  const show = (xs) => `median ${median(xs).toFixed(0)} ms (5 loads: ${xs.map((x) => x.toFixed(0)).join(', ')}`;
  console.log(`load to interactive (the labs list): ${show(loads)}; target under 300 ms)`);
  console.log(`load of a lab's link to its first step: ${show(labLoads)})`);
}

/** The 100,000-packet world end to end and where its time goes, scrolling it. */
async function appFigures() {

  // 3. A world with 100,000 packets, run by the core in wasm.
  const scenario = [
    '# 100,000 packets: a sensor every 10 ms, one subscriber',
    'broker b',
    'sensor t -> b topic casa/sala/temperatura every 10ms model sine(20,5,60s)',
    'client s -> b',
    'at 0s s: mosquitto_sub -h b -t "casa/#"',
    'run 600s',
  ].join('\n');
  const url = `${server.url}#/workspace?scenario=${Buffer.from(scenario).toString('base64url')}&seed=1`;
  const { page, errors } = await openPage(browser, url);
  await page.waitForSelector('#jump');
  // While the world runs, record the main thread's long tasks and frame gaps:
  // with the world in the worker, the page keeps drawing and answering.
  await page.evaluate(() => {
    window.__long = [];
    window.__frames = [];
    new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push(e.duration))).observe({ type: 'longtask' });
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (!window.__stopFrames) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const t0 = Date.now();
  await page.fill('#jump', '500s');
  await page.click('form.jump button');
  await page.waitForFunction(() => Number(document.querySelector('.sequence-diagram').dataset.rows) > 100000, null, { timeout: 300_000 });
  const runMs = Date.now() - t0;
  const rows = Number(await page.getAttribute('.sequence-diagram', 'data-rows'));
  console.log(`wasm world (runs in the worker): 500 s of virtual time, ${rows} diagram rows, in ${runMs} ms (${(rows / (runMs / 1000)).toFixed(0)} packets/s delivered and drawn)`);
  const during = await page.evaluate(() => {
    window.__stopFrames = true;
    return { long: window.__long, frames: window.__frames };
  });
  console.log(
    `main thread while it ran: frame gap median ${median(during.frames).toFixed(1)} ms, p95 ${pct(during.frames, 0.95).toFixed(1)} ms, max ${Math.max(...during.frames).toFixed(1)} ms; ` +
      `${during.long.length} long tasks (>50 ms), longest ${during.long.length ? Math.max(...during.long).toFixed(0) : 0} ms`,
  );

  // 3b. Where that time goes: the same run again, under Chromium's tracing; each
  // thread's top-level tasks added up (the worker's are its slices).
  await traceBreakdown(browser, url);

  // 4. Scroll the whole diagram, top to bottom, one step per animation frame.
  const frames = await page.evaluate(async () => {
    const el = document.querySelector('.seq-scroll');
    el.scrollTop = 0;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const steps = 600;
    const span = el.scrollHeight - el.clientHeight;
    const times = [];
    let last = performance.now();
    for (let i = 1; i <= steps; i++) {
      el.scrollTop = (span * i) / steps;
      el.dispatchEvent(new Event('scroll'));
      await new Promise((r) => requestAnimationFrame(r));
      const now = performance.now();
      times.push(now - last);
      last = now;
    }
    return times;
  });
  console.log(
    `scrolling ${rows} rows in 600 jumps: frame time median ${median(frames).toFixed(1)} ms, p95 ${pct(frames, 0.95).toFixed(1)} ms, max ${Math.max(...frames).toFixed(1)} ms`,
  );
  const drawn = await page.$$eval('svg.seq-times text.time', (els) => els.length);
  console.log(`rows in the DOM while scrolling: ${drawn}`);
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
}

/** Runs `url`'s world to 500 s again under tracing and prints each thread's busy time. */
async function traceBreakdown(browser, url) {
  const { page, context } = await openPage(browser, url);
  await page.waitForSelector('#jump');
  await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline'] });
  const t0 = Date.now();
  await page.fill('#jump', '500s');
  await page.click('form.jump button');
  await page.waitForFunction(() => Number(document.querySelector('.sequence-diagram').dataset.rows) > 100000, null, { timeout: 300_000 });
  const ms = Date.now() - t0;
  const trace = JSON.parse((await browser.stopTracing()).toString());
  await context.close();
  const events = trace.traceEvents ?? trace;
  const names = new Map();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
  const busy = (thread, name) =>
    events.filter((e) => e.ph === 'X' && e.name === name && names.get(`${e.pid}:${e.tid}`) === thread).map((e) => e.dur / 1000);
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  const slices = busy('DedicatedWorker thread', 'TimerFire');
  const page_ = (n) => sum(busy('CrRendererMain', n)).toFixed(0);
  console.log(
    `where the ${ms} ms went (traced run): worker busy ${sum(busy('DedicatedWorker thread', 'RunTask')).toFixed(0)} ms, ` +
      `${slices.length} slices (median ${median(slices).toFixed(1)} ms, longest ${Math.max(...slices).toFixed(0)} ms); ` +
      `page busy ${page_('RunTask')} ms: messages ${page_('HandlePostMessage')} ms, timers ${page_('TimerFire')} ms, ` +
      `style+layout ${(Number(page_('UpdateLayoutTree')) + Number(page_('Layout'))).toFixed(0)} ms, paint ${page_('Paint')} ms`,
  );
}

/**
 * A CDP `send` into the page's worker (a browser session attached to it: Playwright
 * gives sessions to pages only).
 */
async function workerSession(browser) {
  const b = await browser.newBrowserCDPSession();
  const { targetInfos } = await b.send('Target.getTargets');
  const w = targetInfos.find((t) => t.type === 'worker');
  if (!w) throw new Error('the page has no worker');
  const { sessionId } = await b.send('Target.attachToTarget', { targetId: w.targetId, flatten: false });
  let id = 0;
  const waiting = new Map();
  b.on('Target.receivedMessageFromTarget', (e) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message);
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  return (method, params = {}) =>
    new Promise((resolve, reject) => {
      const i = ++id;
      waiting.set(i, (m) => (m.error ? reject(new Error(m.error.message)) : resolve(m.result)));
      b.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: i, method, params }) }).catch(reject);
    });
}

/** A target's memory in MB: its wasm linear memory (every WebAssembly.Memory) and its JS heap. */
async function memoryMb(send) {
  const proto = await send('Runtime.evaluate', { expression: 'WebAssembly.Memory.prototype' });
  const all = await send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId });
  const wasm = await send('Runtime.callFunctionOn', {
    objectId: all.objects.objectId,
    functionDeclaration: 'function () { return this.reduce((s, m) => s + m.buffer.byteLength, 0); }',
    returnByValue: true,
  });
  const heap = await send('Runtime.getHeapUsage');
  return { wasm: wasm.result.value / 2 ** 20, js: heap.usedSize / 2 ** 20 };
}

/**
 * The scale world in the page: SCALE_SENSORS sensors each publishing every 10 s
 * for SCALE_SECONDS of virtual time, run to its end or for SCALE_BUDGET_S of wall
 * clock, whichever comes first. Memory of page and worker every 2 s, frame gaps
 * on the page's thread, a screenshot of the diagram halfway through the budget.
 */
async function scaleWorld(browser) {
  const sensors = Number(process.env.SCALE_SENSORS ?? 10000);
  const seconds = Number(process.env.SCALE_SECONDS ?? 3600);
  const budget = Number(process.env.SCALE_BUDGET_S ?? 120) * 1000;
  const lines = [`# The scale world: ${sensors} sensors every 10 s for ${seconds} s`, 'broker b'];
  for (let i = 0; i < sensors; i++) lines.push(`sensor s${i} -> b topic casa/sensor${i}/temperatura every 10s model sine(20,5,600s)`);
  lines.push(`run ${seconds}s`);
  const url = `${server.url}#/workspace?scenario=${Buffer.from(lines.join('\n')).toString('base64url')}&seed=1`;
  const { page, errors, context } = await openPage(browser, url);
  await page.waitForSelector('#jump', { timeout: 120_000 });
  const pageSend = await context.newCDPSession(page);
  await pageSend.send('Performance.enable');
  const workerSend = await workerSession(browser);
  const memory = async () => ({ page: await memoryMb((m, p) => pageSend.send(m, p)), worker: await memoryMb(workerSend) });
  const before = await memory();
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (!window.__stopFrames) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const t0 = Date.now();
  await page.fill('#jump', `${seconds}s`);
  await page.click('form.jump button');
  const samples = [];
  let shot = false;
  let done = false;
  const fmt = (m) => `${(m.wasm + m.js).toFixed(0)} MB (wasm ${m.wasm.toFixed(0)}, JS ${m.js.toFixed(0)})`;
  // A call that does not answer in 20 s names itself (the page's thread, or
  // the DevTools protocol's) instead of hanging the benchmark.
  const bounded = (what, p) =>
    Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer in 20 s`)), 20_000))]);
  let workerQuiet = process.env.SCALE_WORKER_MEMORY === '0';
  while (Date.now() - t0 < budget) {
    await new Promise((r) => setTimeout(r, 2000));
    const asked = Date.now();
    const state = await bounded('the page', page.evaluate(() => ({
      rows: Number(document.querySelector('.filter-count') ? document.querySelector('.diagram-filter').dataset.total : document.querySelector('.sequence-diagram')?.dataset.rows ?? 0),
      clock: document.querySelector('#clock')?.textContent ?? '',
    })));
    const answered = Date.now() - asked;
    // The worker answers DevTools between its slices: a worker that does not
    // answer is named, and the run goes on.
    const m = { page: await bounded('the page\'s memory call', memoryMb((x, p) => pageSend.send(x, p))) };
    // Runtime.queryObjects in a worker that is running can hold the renderer's
    // DevTools (the page's own calls then wait too): after one call that does
    // not answer, the worker is not asked again (SCALE_WORKER_MEMORY=0: never).
    const wAsked = Date.now();
    m.worker = workerQuiet
      ? { wasm: NaN, js: NaN }
      : await bounded('the worker\'s memory call', memoryMb(workerSend)).catch((e) => {
          console.log(`  ${e.message}; the worker is not asked again`);
          workerQuiet = true;
          return { wasm: NaN, js: NaN };
        });
    const workerMs = Date.now() - wAsked;
    const metrics = Object.fromEntries((await bounded('Performance.getMetrics', pageSend.send('Performance.getMetrics'))).metrics.map((x) => [x.name, x.value]));
    samples.push({ s: (Date.now() - t0) / 1000, ...state, ...m });
    console.log(
      `  scale world at ${((Date.now() - t0) / 1000).toFixed(0)} s: ${state.clock}, ${state.rows} rows; page ${fmt(m.page)}, worker ${fmt(m.worker)}; ` +
        `page answered in ${answered} ms, worker in ${workerMs} ms, DOM nodes ${metrics.Nodes}, page JS heap (getMetrics) ${(metrics.JSHeapUsedSize / 2 ** 20).toFixed(0)} MB`,
    );
    if (!shot && Date.now() - t0 > budget / 4) {
      fs.mkdirSync(artifacts, { recursive: true });
      await page.locator('.diagram-panel').screenshot({ path: path.join(artifacts, 'scale-diagram.png') });
      // The diagram stays usable while it runs: one sensor's rows, then the zoomed-out view.
      if (await page.$('#filter-node')) {
        await page.fill('#filter-node', 's42');
        await page.press('#filter-node', 'Enter');
        await page.waitForFunction(() => Number(document.querySelector('.diagram-filter').dataset.shown) < Number(document.querySelector('.diagram-filter').dataset.total), null, { timeout: 20_000 });
        await page.locator('.diagram-panel').screenshot({ path: path.join(artifacts, 'scale-filter.png') });
        await page.fill('#filter-node', '');
        await page.press('#filter-node', 'Enter');
        await page.click('#diagram-zoom');
        await page.waitForSelector('.diagram-summary tr.bucket', { timeout: 20_000 });
        await page.locator('.diagram-panel').screenshot({ path: path.join(artifacts, 'scale-summary.png') });
        await page.click('#diagram-zoom');
        console.log('  screenshots while it runs: tests/artifacts/scale-diagram.png, scale-filter.png (node s42), scale-summary.png (zoomed out)');
      }
      shot = true;
    }
    if (state.clock.startsWith(`t = ${seconds}.`)) {
      done = true;
      break;
    }
  }
  const wall = (Date.now() - t0) / 1000;
  const frames = await page.evaluate(() => {
    window.__stopFrames = true;
    return window.__frames;
  });
  const peak = (who) => Math.max(...samples.map((x) => x[who].wasm + x[who].js).filter((x) => !Number.isNaN(x)));
  console.log(
    `scale world (${sensors} sensors every 10 s, ${seconds} s): ${done ? `ran to its end in ${wall.toFixed(1)} s` : `not done after ${wall.toFixed(0)} s (${samples.at(-1)?.clock})`}; ` +
      `memory before ${fmt(before.page)} page, ${fmt(before.worker)} worker; peak page ${peak('page').toFixed(0)} MB, worker ${peak('worker').toFixed(0)} MB; ` +
      `frame gap median ${median(frames).toFixed(1)} ms, p95 ${pct(frames, 0.95).toFixed(1)} ms, max ${Math.max(...frames).toFixed(0)} ms; ` +
      `screenshot tests/artifacts/scale-diagram.png`,
  );
  if (errors.length) throw new Error(`page errors in the scale world: ${errors.join('; ')}`);
  await context.close();
}
