// Figures for the browser lab, measured in headless Chromium on the trunk-built
// dist/: bundle size, time from load to interactive, how fast the wasm core runs
// a world, and frame times while scrolling a diagram of 100,000 packets.
//
//   node tests/bench/web_figures.mjs          (after `trunk build --release`)
//
// A benchmark, not a test: it prints figures and fails only if the page breaks.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serveDist, launchBrowser, openPage, dist } from '../e2e/harness.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

// 1. Bundle size, per file, then the targets of issue 17: page and worker together
// at most 400 KB gzipped, and the page's own first load (what the browser must
// fetch before the page is interactive: html, the page's js and wasm, css) at
// most 200 KB gzipped. The worker's files load beside it, off the critical path.
const KB = 1000;
const gz = {};
for (const f of fs.readdirSync(dist).sort()) {
  if (!/\.(wasm|js|css|html)$/.test(f)) continue;
  const raw = fs.readFileSync(path.join(dist, f));
  gz[f] = zlib.gzipSync(raw, { level: 9 }).length;
  console.log(`bundle ${f.replace(/-[0-9a-f]{8,}/, '')}: ${(raw.length / KB).toFixed(0)} KB, ${(gz[f] / KB).toFixed(0)} KB gzipped`);
}
const sum = (pred) => Object.entries(gz).filter(([f]) => pred(f)).reduce((a, [, n]) => a + n, 0);
const isWorker = (f) => f.startsWith('sim_worker');
const firstLoad = sum((f) => !isWorker(f));
const total = sum((f) => /\.wasm$/.test(f) || /\.js$/.test(f));
console.log(`first load (html, page js and wasm, css): ${(firstLoad / KB).toFixed(0)} KB gzipped (target at most 200 KB)`);
console.log(`page and worker (js and wasm): ${(total / KB).toFixed(0)} KB gzipped (target at most 400 KB)`);

const server = await serveDist();
const browser = await launchBrowser();
try {
  // 2. Load to interactive: navigation start until the labs list is rendered by wasm.
  const loads = [];
  for (let i = 0; i < 5; i++) {
    const { page, context } = await openPage(browser, `${server.url}#/labs`);
    await page.waitForSelector('.lab-card');
    loads.push(await page.evaluate(() => performance.now()));
    await context.close();
  }
  console.log(`load to interactive: median ${median(loads).toFixed(0)} ms (5 loads: ${loads.map((x) => x.toFixed(0)).join(', ')}; target under 300 ms)`);

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
  const drawn = await page.$$eval('svg.seq-rows text.time', (els) => els.length);
  console.log(`rows in the DOM while scrolling: ${drawn}`);
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
} finally {
  await browser.close();
  await server.close();
}
