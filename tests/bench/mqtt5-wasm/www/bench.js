// The page benchmark's page: each row run by our simulator in a worker (with the
// full trace the lab keeps, and with none) and by mqtt5-wasm's in-tab broker on
// this page, one after the other. tests/bench/page_bench.mjs reads
// window.__results (and prints the console's "[bench]" lines as they come).
import init, { Broker, BrokerConfig, MqttClient, PublishOptions, SubscribeOptions } from './pkg/mqttlab_pagebench.js';

const log = (line) => {
  console.log(`[bench] ${line}`);
  document.getElementById('out').textContent += `\n${line}`;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A peer's row stops after this long and counts what was delivered by then.
const LIMIT_MS = 300_000;

// Our rows: one worker, reused; each figure the median of `rounds` runs.
const worker = new Worker('./ours_worker.js', { type: 'module' });
const ours = (row, messages, trace) =>
  new Promise((resolve, reject) => {
    worker.onmessage = (e) => (e.data.error ? reject(new Error(e.data.error)) : resolve(e.data));
    worker.postMessage({ row, messages, trace });
  });

// The peer's rows. Publishers keep a window of publishes outstanding, so the
// broker is never left waiting on the page's round trips.
async function peer(row, messages) {
  // Its defaults refuse anonymous clients and more than a few at once.
  const config = new BrokerConfig();
  config.allowAnonymous = true;
  config.maxClients = 10000;
  const broker = Broker.withConfig(config);
  const clients = [];
  const connect = async (id) => {
    const c = new MqttClient(id);
    await c.connectMessagePort(broker.createClientPort());
    clients.push(c);
    return c;
  };
  try {
    if (row === 'connects') {
      const t0 = performance.now();
      for (let i = 0; i < messages; i += 50) {
        const batch = [];
        for (let j = i; j < Math.min(messages, i + 50); j++) batch.push(connect(`c${j}`));
        await Promise.all(batch);
      }
      return { count: clients.length, ms: performance.now() - t0 };
    }
    const subscribers = row === 'fanout' ? 50 : 1;
    const qos = row === 'qos1' ? 1 : 0;
    const target = messages * subscribers;
    let received = 0;
    let lastAt = 0;
    for (let i = 0; i < subscribers; i++) {
      const c = await connect(`sub${i}`);
      const o = new SubscribeOptions();
      o.qos = qos;
      await c.subscribeWithOptions(
        'bench/#',
        () => {
          received++;
          lastAt = performance.now();
        },
        o,
      );
    }
    const pub = await connect('pub');
    const payload = new TextEncoder().encode('20.5');
    const po = new PublishOptions();
    po.qos = qos;
    const outstanding = qos === 0 ? 500 : 100;
    const t0 = performance.now();
    const pending = new Set();
    let late = false;
    for (let i = 0; i < messages && !late; i++) {
      const p = (qos === 0 ? pub.publish('bench/t', payload) : pub.publishWithOptions('bench/t', payload, po)).finally(() =>
        pending.delete(p),
      );
      pending.add(p);
      while (pending.size >= outstanding && !late) {
        await Promise.race([...pending, sleep(1000)]);
        late = performance.now() - t0 > LIMIT_MS;
      }
    }
    while (pending.size > 0 && performance.now() - t0 < LIMIT_MS) await Promise.race([...pending, sleep(1000)]);
    // Delivery ends when every copy has arrived, or when none came for 5 s (a
    // QoS 0 copy may be dropped): the time is that of the last one.
    let seen = -1;
    let still = performance.now();
    while (received < target) {
      await sleep(50);
      if (received !== seen) {
        seen = received;
        still = performance.now();
      } else if (performance.now() - still > 5000 || performance.now() - t0 > LIMIT_MS) break;
    }
    return { count: received, ms: (lastAt || performance.now()) - t0 };
  } finally {
    for (const c of clients) {
      try {
        await c.disconnect();
      } catch {
        // already gone
      }
      c.free();
    }
    broker.free();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

window.runBench = async ({ rows, rounds }) => {
  await init();
  const results = [];
  for (const [row, messages, label] of rows) {
    const res = { row, label, messages };
    for (const trace of [false, true]) {
      const runs = [];
      for (let i = 0; i < rounds; i++) runs.push(await ours(row, messages, trace));
      const m = median(runs.map((r) => r.ms));
      const run = runs.find((r) => r.ms === m);
      res[trace ? 'trace' : 'none'] = { ...run, rate: (run.count / run.ms) * 1000, runs: runs.map((r) => r.ms) };
      log(`${label}: ours ${trace ? 'with the full trace' : 'no trace'}: ${run.count} in ${m.toFixed(1)} ms (${run.events} events, ${run.entries} trace entries)`);
    }
    const p = await peer(row, messages);
    res.peer = { ...p, rate: (p.count / p.ms) * 1000 };
    log(`${label}: mqtt5-wasm: ${p.count} in ${p.ms.toFixed(1)} ms`);
    results.push(res);
  }
  window.__results = results;
  return results;
};
