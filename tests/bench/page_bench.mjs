// The simulator in the page beside LabOverWire's mqtt5-wasm in-tab broker (issue 17):
// one wasm module holding both (tests/bench/mqtt5-wasm, built by `scripts/bench.sh
// page`), one headless Chromium page, the same four rows. Ours runs in a worker,
// as the lab runs it, with the full trace the lab keeps and with none; the peer's
// broker and clients run on the page, over its MessagePorts.
//
//   node tests/bench/page_bench.mjs [--rounds N] [--rows qos0,qos1,fanout,connects]
//   (after scripts/bench.sh page built the module)
//
// A benchmark, not a test: it prints figures and fails only if something breaks.
import fs from 'node:fs';
import path from 'node:path';
import { serveDist, launchBrowser, openPage, root } from '../e2e/harness.mjs';

const www = path.join(root, 'tests', 'bench', 'mqtt5-wasm', 'www');
if (!fs.existsSync(path.join(www, 'pkg', 'mqttlab_pagebench_bg.wasm'))) {
  throw new Error(`no ${www}/pkg: build it with scripts/bench.sh page`);
}
const option = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const rounds = Number(option('--rounds', 3));
const only = option('--rows', 'qos0,qos1,fanout,connects').split(',');
const rows = [
  ['qos0', 100000, 'QoS 0 1→1, 100k messages'],
  ['qos1', 100000, 'QoS 1 1→1, 100k messages'],
  ['fanout', 10000, 'fan-out 1→50, 10k messages'],
  ['connects', 1000, '1,000 connects'],
].filter(([row]) => only.includes(row));

const server = await serveDist(www);
const browser = await launchBrowser();
try {
  const { page, errors } = await openPage(browser, server.url);
  page.on('console', (m) => m.text().startsWith('[bench]') && console.log(m.text()));
  await page.waitForFunction(() => typeof window.runBench === 'function');
  await page.evaluate((a) => {
    window.runBench(a).catch((e) => (window.__failed = String(e)));
  }, { rows, rounds });
  await page.waitForFunction(() => window.__results || window.__failed, null, { timeout: 900_000, polling: 500 });
  const failed = await page.evaluate(() => window.__failed);
  if (failed) throw new Error(failed);
  const results = await page.evaluate(() => window.__results);
  const f = (x) => Math.round(x).toLocaleString('en-US').padStart(11);
  const r = (x) => `${x.toFixed(1)}×`.padStart(8);
  console.log(`\nmessages delivered per second (connects: CONNACKs per second); ours: median of ${rounds}, in the worker`);
  console.log(`${'row'.padEnd(28)} ${'ours, no trace'.padStart(14)} ${'ours, trace'.padStart(11)} ${'mqtt5-wasm'.padStart(11)} ${'no trace ÷'.padStart(10)} ${'trace ÷'.padStart(8)}`);
  for (const x of results) {
    console.log(
      `${x.label.padEnd(28)} ${f(x.none.rate).padStart(14)} ${f(x.trace.rate)} ${f(x.peer.rate)} ${r(x.none.rate / x.peer.rate).padStart(10)} ${r(x.trace.rate / x.peer.rate)}`,
    );
    const want = x.row === 'fanout' ? x.messages * 50 : x.messages;
    for (const [who, got] of [['ours', x.none.count], ['ours (trace)', x.trace.count], ['mqtt5-wasm', x.peer.count]]) {
      if (got < want) console.log(`  note: ${who} delivered ${got} of ${want}`);
    }
  }
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
} finally {
  await browser.close();
  await server.close();
}
