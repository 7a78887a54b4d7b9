// Where a scrub of the timeline spends its time, on the 100,000-event world
// (`mqttlab bench-sim --scrub-world`), in headless Chromium on a trunk-built
// dist/: the world run to 100 s, a first scrub right after it, then 12
// moments far apart (jumps, as `timetravel.test.mjs` measures) and 12 moments
// 20 ms apart (a drag), each under Chromium's tracing. Prints, per moment, the
// wall clock (input event to the frame after the DOM shows it), the worker's
// round trip, the DOM built for it, and each thread's busy time by kind.
//
//   node tests/bench/scrub_trace.mjs                  (after `trunk build --release`)
//   DIST=/path/to/dist node tests/bench/scrub_trace.mjs   (another build: an A/B)
//
// A benchmark, not a test: it prints figures and fails only if the page breaks.
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { serveDist, launchBrowser, openPage, dist as built, mqttlabBin, root, scrubTo } from '../e2e/harness.mjs';

const dist = process.env.DIST ? path.resolve(process.env.DIST) : built;
const source = spawnSync(mqttlabBin(), ['bench-sim', '--scrub-world'], { cwd: root, encoding: 'utf8' }).stdout;
const server = await serveDist(dist);
const browser = await launchBrowser();
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

try {
  const url = `${server.url}#/workspace?seed=1&scenario=${Buffer.from(source).toString('base64url')}`;
  const { page, errors } = await openPage(browser, url);
  await page.waitForSelector('#jump');
  await page.fill('#jump', '100s');
  await page.click('form.jump button');
  await page.waitForFunction(() => Number(document.querySelector('#timeline')?.dataset.now) >= 100e6 && document.querySelector('.workspace')?.dataset.busy === 'false', null, { timeout: 300_000 });
  // The first scrub right after the run (it enters scrub mode; the checker's
  // findings were made as the run went on, so it waits for nothing).
  const first = await scrubTo(page, 1_000_000);
  console.log(`first scrub after the run: on screen ${first.shownMs.toFixed(1)} ms, worker round trip ${first.workerMs.toFixed(1)} ms, DOM built ${first.built}`);
  const jumps = Array.from({ length: 12 }, (_, k) => Math.round(((2 * k + 1) / 24) * 100_000) * 1000 + 7000 * (k % 3));
  const drag = Array.from({ length: 12 }, (_, k) => 50_000_000 + 20_000 * k);
  for (const [name, moments] of [['jumps', jumps], ['drag', drag]]) {
    await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline'] });
    const samples = [];
    for (const us of moments) samples.push(await scrubTo(page, us));
    const trace = JSON.parse((await browser.stopTracing()).toString());
    const events = trace.traceEvents ?? trace;
    const threads = new Map();
    for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name);
    const busy = (thread, ev) =>
      events
        .filter((e) => e.ph === 'X' && e.name === ev && threads.get(`${e.pid}:${e.tid}`) === thread)
        .reduce((a, e) => a + e.dur / 1000, 0) / moments.length;
    const page_ = (ev) => busy('CrRendererMain', ev).toFixed(1);
    console.log(
      `${name} (${moments.length} moments): on screen mean ${mean(samples.map((s) => s.shownMs)).toFixed(1)} ms ` +
        `(each: ${samples.map((s) => s.shownMs.toFixed(0)).join(' ')}), ` +
        `worker round trip mean ${mean(samples.map((s) => s.workerMs)).toFixed(1)} ms, ` +
        `DOM built mean ${mean(samples.map((s) => s.built)).toFixed(0)} nodes and changes`,
    );
    console.log(
      `  per moment: worker busy ${busy('DedicatedWorker thread', 'RunTask').toFixed(1)} ms; page busy ${page_('RunTask')} ms: ` +
        `script (wasm and JS) ${page_('FunctionCall')}, style ${page_('UpdateLayoutTree')}, layout ${page_('Layout')}, ` +
        `pre-paint ${page_('PrePaint')}, paint ${page_('Paint')}, layerize ${page_('Layerize')}, commit ${page_('Commit')} ms`,
    );
  }
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
} finally {
  await browser.close();
  await server.close();
}
