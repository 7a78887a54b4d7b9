// Our side: the core simulator in a worker, as the lab runs it. One row a message:
// { row, messages, trace } -> { count, ms, events, packets, entries }.
import init, { OursRow } from './pkg/mqttlab_pagebench.js';

const ready = init();
onmessage = async (e) => {
  await ready;
  const { row, messages, trace } = e.data;
  try {
    const r = new OursRow(row, messages, trace);
    const t0 = performance.now();
    const count = r.run();
    const ms = performance.now() - t0;
    postMessage({ count, ms, events: r.events(), packets: r.packets(), entries: r.entries() });
    r.free();
  } catch (err) {
    postMessage({ error: String(err) });
  }
};
