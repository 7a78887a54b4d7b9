// Issue 16's time travel in headless Chromium:
//  - scrub: a bundled scenario run to its end, then the timeline dragged back to
//    three moments; each time the broker state on the page (sessions with their
//    subscriptions, messages in flight and queued, retained messages, wills)
//    equals what `mqttlab run NAME --seed 1 --until T --state` prints for a
//    fresh native run stopped there;
//  - the scrub's time in the page on the 100,000-event world
//    (`mqttlab bench-sim --scrub-world`), printed (the native figure is
//    `core/tests/replay.rs`'s);
//  - fork: the Last Will world with its will left by a `mosquitto_sub` (which,
//    unlike mosquitto_pub 2.0.11, says goodbye with DISCONNECT on Ctrl-C)
//    forked at the kill into a clean disconnect: the two diagrams part exactly
//    there, FIN in one and DISCONNECT in the other, the will published in one
//    and discarded in the other; the Last Will lab's own "what if" (Ctrl-C on
//    its mosquitto_pub, which sends no DISCONNECT: the will goes out in both),
//    and its link opening the same fork again;
//  - the topology: packets move along the links as the run plays, and a click
//    on a node picks out its lifeline in the diagram.
// Screenshots: tests/artifacts/timeline-*.png, fork-*.png, topology-moving-*.png.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { appUnderTest, artifacts, mqttlabBin, root, scrubTo } from './harness.mjs';

const app = appUnderTest();

/**
 * One page for the whole file: the app is loaded once, and each test goes to
 * its page by the URL's fragment, as a link in the app does (the simulation
 * worker and the compiled wasm stay), in the language it asks for (the
 * header's switch).
 */
let shared;
after(async () => {
  await shared?.context.close();
});

async function open(locale, hash) {
  if (!shared) {
    const context = await app.browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${app.server.url}#/labs`);
    shared = { page, errors, context };
  }
  const { page, errors } = shared;
  errors.length = 0;
  // Through the labs page, so that the page asked for mounts afresh (a
  // fragment of the same page only rewrites its parameters).
  await page.evaluate(() => {
    location.hash = '#/labs';
  });
  await page.waitForSelector('.labs-page');
  const tag = locale === 'pt-BR' ? 'pt-BR' : 'en';
  if ((await page.getAttribute('.app', 'lang')) !== tag) {
    await page.click(`button.lang[lang="${tag}"]`);
    await page.waitForSelector(`.app[lang="${tag}"]`);
  }
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  return { page, errors };
}

async function shot(page, name, selector) {
  fs.mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, name);
  if (selector) {
    // Playwright's element screenshot of the fork came out 27 px above it (the
    // panels above at its top, its expectations cut off at the bottom) while
    // its box held all of it: the element is scrolled into view, and the page
    // is shot at its box once two frames have been drawn.
    const el = page.locator(selector);
    await el.scrollIntoViewIfNeeded();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: file, clip: await el.boundingBox() });
  }
  else await page.screenshot({ path: file, fullPage: true });
}

function mqttlab(args) {
  const r = spawnSync(mqttlabBin(), args, { cwd: root, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `mqttlab ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** `mqttlab run --state`'s blocks, as { broker: { sessions, retained, wills } }. */
function nativeState(stdout) {
  const brokers = {};
  let broker;
  let session;
  const keys = { subscriptions: 'subscriptions', 'in flight': 'inflight', queued: 'queued' };
  for (const line of stdout.split('\n')) {
    let m;
    if ((m = line.match(/^(\S+) at \d+\.\d{3}s:$/))) {
      broker = brokers[m[1]] = { sessions: [], retained: [], wills: [] };
      session = undefined;
    } else if (!broker) {
      continue;
    } else if ((m = line.match(/^ {2}session (.+): (online|offline), (clean|persistent)(?:, (\d+) dropped)?$/))) {
      session = {
        id: m[1],
        online: m[2] === 'online',
        clean: m[3] === 'clean',
        dropped: Number(m[4] ?? 0),
        subscriptions: '',
        inflight: '',
        queued: '',
      };
      broker.sessions.push(session);
    } else if ((m = line.match(/^ {4}(subscriptions|in flight|queued): (.*)$/)) && session) {
      session[keys[m[1]]] = m[2];
    } else if ((m = line.match(/^ {2}retained: (.*)$/))) {
      broker.retained.push(m[1]);
    } else if ((m = line.match(/^ {2}will: (.*)$/))) {
      broker.wills.push(m[1]);
    } else {
      broker = undefined;
    }
  }
  return brokers;
}

/** The broker-state panel as the page shows it, in the same shape. */
const pageState = (page) =>
  page.$$eval('.broker-state[data-broker]', (panels) =>
    Object.fromEntries(
      panels.map((b) => {
        // A cell's own text, without the counts or 5.0 lines added after it.
        const own = (td) =>
          [...td.childNodes]
            .filter((n) => n.nodeType === Node.TEXT_NODE)
            .map((n) => n.textContent)
            .join('');
        const sessions = [...b.querySelectorAll('tr[data-client]')].map((tr) => {
          const td = tr.querySelectorAll('td');
          return {
            id: tr.dataset.client,
            online: tr.dataset.online === 'true',
            clean: tr.dataset.clean === 'true',
            dropped: Number(tr.dataset.dropped),
            subscriptions: own(td[2]),
            inflight: own(td[3]),
            queued: own(td[4]),
          };
        });
        const items = (sel) => [...b.querySelectorAll(sel)].map((li) => li.textContent);
        return [b.dataset.broker, { sessions, retained: items('ul.retained > li'), wills: items('ul.wills > li') }];
      }),
    ),
  );

/** Runs the page's world to `seconds` with the Go-to field and waits until it is there. */
async function runTo(page, seconds, timeout = 30_000) {
  await page.waitForSelector('#jump');
  await page.fill('#jump', `${seconds}s`);
  await page.click('form.jump button');
  await page.waitForFunction(
    (us) => Number(document.querySelector('#timeline')?.dataset.now) >= us && document.querySelector('.workspace')?.dataset.busy === 'false',
    seconds * 1e6,
    { timeout },
  );
}

/** Bundled scenarios, run to their end, then scrubbed back to these moments (s). */
const MOMENTS = [
  // A browser tab stalls from 5 s to 25 s: in the stall its QoS 1 alarms wait
  // in flight and its QoS 0 readings are dropped; before it, and after it.
  ['22-slow-consumer', 30, [15.3, 3, 27.5]],
  // A persistent session away: its QoS 1 message queued.
  ['05-persistent-session', 50, [35]],
  // A retained "on-line" and the will the broker holds; then the will published.
  ['06-last-will', 45, [30, 40]],
];

test('scrub: moments of three bundled scenarios equal mqttlab run --until T --state', { timeout: 120_000 }, async () => {
  let page;
  let errors;
  const seen = new Set();
  for (const [name, end, moments] of MOMENTS) {
    ({ page, errors } = await open('en-US', `#/workspace?bundled=${name}&seed=1`));
    await runTo(page, end);
    for (const seconds of moments) {
      const us = Math.round(seconds * 1e6);
      const { workerMs } = await scrubTo(page, us);
      const want = nativeState(mqttlab(['run', name, '--seed', '1', '--until', `${seconds}s`, '--state']));
      assert.ok(Object.keys(want).length > 0, 'mqttlab printed a state');
      const got = await pageState(page);
      assert.deepEqual(got, want, `${name}: the broker state at ${seconds} s`);
      const all = Object.values(want);
      const sessions = all.flatMap((b) => b.sessions);
      const count = (f) => sessions.map(f).reduce((a, b) => a + b, 0);
      const held = {
        sessions: sessions.length,
        'in flight': count((s) => s.inflight.split('; ').filter(Boolean).length),
        queued: count((s) => s.queued.split('; ').filter(Boolean).length),
        dropped: count((s) => s.dropped),
        retained: all.flatMap((b) => b.retained).length,
        wills: all.flatMap((b) => b.wills).length,
      };
      for (const [k, v] of Object.entries(held)) if (v > 0) seen.add(k);
      console.log(`${name} scrubbed to ${seconds} s (${workerMs} ms): ${JSON.stringify(held)}, equal to mqttlab run --until`);
    }
    assert.deepEqual(errors, [], name);
  }
  // Every part of the broker state was compared non-empty at least once.
  assert.deepEqual([...seen].sort(), ['dropped', 'in flight', 'queued', 'retained', 'sessions', 'wills']);
  // The marks read as marks: a glyph each, spread along the track, and a legend.
  const marks = await page.$$eval('#timeline button.mark', (els) =>
    els.map((e) => ({ glyph: e.querySelector('.glyph')?.textContent, x: e.getBoundingClientRect().x, w: e.getBoundingClientRect().width, title: e.title })),
  );
  assert.ok(marks.length >= 4, JSON.stringify(marks));
  assert.ok(marks.every((m) => m.glyph && m.w > 0 && m.title), JSON.stringify(marks));
  assert.ok(new Set(marks.map((m) => Math.round(m.x))).size > 2, 'marks are spread along the time axis');
  const legend = await page.$$eval('.timeline-legend li', (els) => els.map((e) => e.textContent.trim()));
  assert.ok(['connected', 'will', 'expectation met'].every((w) => legend.some((l) => l.includes(w))), JSON.stringify(legend));
  // Each mark is drawn in its kind's colour, the one its legend shows, and
  // not in the grey of the labels.
  const colours = await page.$$eval('#timeline button.mark, .timeline-legend li', (els) =>
    els.map((e) => ({
      kind: [...e.classList].find((c) => c !== 'mark' && c !== 'legend-item'),
      legend: e.tagName === 'LI',
      colour: getComputedStyle(e.querySelector('.glyph')).color,
    })),
  );
  const grey = await page.$eval('.timeline-legend', (e) => getComputedStyle(e).color);
  const legendColour = Object.fromEntries(colours.filter((c) => c.legend).map((c) => [c.kind, c.colour]));
  for (const c of colours) {
    assert.notEqual(c.colour, grey, `${c.kind} is drawn grey`);
    assert.equal(c.colour, legendColour[c.kind], `${c.kind}: ${JSON.stringify(colours)}`);
  }
  assert.ok(new Set(Object.values(legendColour)).size >= 3, JSON.stringify(legendColour));
  await shot(page, 'timeline-en-US.png', '.controls');
  await page.click('#live');
  await page.waitForSelector('#scrub-at', { state: 'detached' });
  assert.deepEqual(errors, []);
});

/**
 * What a moment may build again in the page, at most, on average: elements and
 * text nodes added, texts and attributes changed (a count the machine's load
 * does not move, unlike the time). PLACEHOLDER
 */
const BUILT_BOUND = 2_200;

test('scrub time in the page on the 100,000-event world', { timeout: 240_000 }, async () => {
  const source = mqttlab(['bench-sim', '--scrub-world']);
  const encoded = Buffer.from(source).toString('base64url');
  const { page, errors } = await open('en-US', `#/workspace?seed=1&scenario=${encoded}`);
  const t0 = Date.now();
  await runTo(page, 100, 200_000);
  const runMs = Date.now() - t0;
  const rows = Number(await page.getAttribute('.diagram-panel .sequence-diagram', 'data-rows'));
  // The first scrub right after the run: the specification checker read the
  // trace as the run went on, so its findings wait for nothing here (its one
  // pass over the whole trace when the run stopped made this scrub wait
  // seconds). It counts among the jumps.
  const first = await scrubTo(page, 1_000_000);
  const n = 12;
  // Moments far apart, spread over the run on the slider's 1 ms steps, away
  // from checkpoints; then a drag, 20 ms a step.
  const jumps = [first];
  for (let k = 0; k < n; k++) jumps.push(await scrubTo(page, Math.round(((2 * k + 1) / (2 * n)) * 100_000) * 1000 + 7000 * (k % 3)));
  const drag = [];
  for (let k = 0; k < n; k++) drag.push(await scrubTo(page, 50_000_000 + 20_000 * k));
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const figures = (samples) => {
    const worker = samples.map((s) => s.workerMs);
    const shown = samples.map((s) => s.shownMs);
    return (
      `rebuilt (worker round trip) mean ${mean(worker).toFixed(1)} ms, worst ${Math.max(...worker).toFixed(1)} ms; ` +
      `on screen mean ${mean(shown).toFixed(1)} ms, worst ${Math.max(...shown).toFixed(1)} ms; ` +
      `DOM built mean ${mean(samples.map((s) => s.built)).toFixed(0)}`
    );
  };
  const rest = [...jumps.slice(1), ...drag].map((s) => s.shownMs).sort((a, b) => a - b);
  const median = rest[Math.floor(rest.length / 2)];
  console.log(
    `100,000-event world (${rows} diagram rows) run to 100 s in the page in ${runMs} ms; ` +
      `first scrub after the run: on screen ${first.shownMs.toFixed(1)} ms (worker round trip ${first.workerMs.toFixed(1)} ms, ` +
      `DOM built ${first.built}), the others' median ${median.toFixed(1)} ms; ` +
      `${n + 1} moments far apart (the first included): ${figures(jumps)}; ${n} moments of a drag: ${figures(drag)} ` +
      `(native rebuild, core/tests/replay.rs: 12.7 ms mean)`,
  );
  assert.ok(rows > 50_000, `${rows} rows`);
  // The first scrub is one like the others, not seconds behind them (it
  // waited 1.5-3.5 s for the checker under load). The bound is loose: it also
  // enters scrub mode, and two e2e files at once on two loaded cores gave it
  // 259-370 ms, 1.5-2.9x the others' median.
  assert.ok(
    first.shownMs <= Math.max(4 * median, 1000),
    `the first scrub after the run took ${first.shownMs.toFixed(1)} ms on screen, the others' median ${median.toFixed(1)} ms`,
  );
  // Rebuilt from checkpoints, not replayed from the start (which takes seconds
  // here: 1.6 s natively).
  assert.ok(mean(jumps.map((s) => s.workerMs)) < 1000, 'scrub rebuilt from checkpoints');
  // On screen, the issue asks for under 100 ms (printed above); the time
  // follows the machine's load, the DOM built does not.
  assert.ok(mean(jumps.map((s) => s.built)) < BUILT_BOUND, `DOM built per moment: ${figures(jumps)}`);
  assert.deepEqual(errors, []);
});

/** The Last Will world of the course with the will left by mosquitto_sub. */
const SUB_WILL = [
  '# Last Will, the will left by mosquitto_sub (which sends DISCONNECT on Ctrl-C)',
  'broker broker1',
  'client alpine1 -> broker1 latency 1ms',
  'client alpine2 -> broker1 latency 1ms',
  'at 6.5s alpine1: mosquitto_sub -h broker1 -t "cmd/alpine1" --will-topic "sensor1/status" --will-payload "off-line" --will-retain',
  'at 18.2s alpine2: mosquitto_sub -h broker1 -t "sensor1/status"',
  'at 35.6s kill alpine1',
  'expect alpine2 receives "off-line" on sensor1/status',
  'run 45s',
].join('\n');

/** Each side of a fork: the first packet label at or after its marked row, and its wills. */
const forkSides = (page) =>
  page.$$eval('.fork-side', (sides) =>
    sides.map((side) => {
      const parts = side.querySelector('rect.parts')?.getBoundingClientRect();
      const labels = [...side.querySelectorAll('svg.seq-rows text.label')]
        .map((t) => ({ y: t.getBoundingClientRect().y, text: t.textContent }))
        .sort((a, b) => a.y - b.y);
      return {
        id: side.id,
        partsAt: side.dataset.partsAt,
        before: parts ? labels.filter((l) => l.y < parts.y).map((l) => l.text) : [],
        next: parts ? labels.find((l) => l.y >= parts.y)?.text : undefined,
        wills: [...side.querySelectorAll('ul.wills li')].map((li) => li.className),
        expects: [...side.querySelectorAll('ul.expects li')].map((li) => li.className),
      };
    }),
  );

for (const locale of ['en-US', 'pt-BR']) {
  test(`fork (${locale}): the Last Will world at the kill, a clean disconnect instead`, { timeout: 90_000 }, async () => {
    const encoded = Buffer.from(SUB_WILL).toString('base64url');
    const { page, errors } = await open(locale, `#/workspace?seed=1&scenario=${encoded}`);
    await runTo(page, 45);
    // The whole world follows the timeline: at 30 s, before the kill, the
    // topology draws alpine1's link up and alpine2's terminal has not printed
    // the will yet; back to now, the link is cut and the will printed.
    const world = () =>
      page.evaluate(() => ({
        link: document.querySelector('#topology-svg .topo-link[data-node="alpine1"]')?.dataset.state,
        lines: [...document.querySelectorAll('.terminal[data-node="alpine2"] .term-screen .line')].map((l) => l.textContent),
        card: document.querySelector('.node-card[data-node="alpine1"] .node-state')?.textContent,
      }));
    const live = await world();
    assert.equal(live.link, 'cut', JSON.stringify(live));
    assert.ok(live.lines.includes('off-line'), JSON.stringify(live));
    await scrubTo(page, 30_000_000);
    const then = await world();
    assert.equal(then.link, 'up', JSON.stringify(then));
    assert.ok(!then.lines.includes('off-line'), JSON.stringify(then));
    assert.notEqual(then.card, live.card, 'the node card follows too');
    // The kill's mark and the will's, a millisecond apart, stand one above
    // the other: neither covers the other, and each takes a real click (the
    // will's first, then the kill's, where the fork goes).
    const kill = page.locator('#timeline button.mark.event[data-time="35600000"]');
    const will = page.locator('#timeline button.mark.will');
    const [k, w] = [await kill.boundingBox(), await will.boundingBox()];
    const apart = k.y + k.height <= w.y || w.y + w.height <= k.y || k.x + k.width <= w.x || w.x + w.width <= k.x;
    assert.ok(apart, `the kill's mark ${JSON.stringify(k)} and the will's ${JSON.stringify(w)} overlap`);
    assert.ok(Math.abs(k.x - w.x) < 2, 'stacked at the same time, not pushed along the axis');
    await will.click();
    await page.waitForSelector(`#scrub-at[data-at="${await will.getAttribute('data-time')}"]`);
    await kill.click();
    await page.waitForSelector('#scrub-at[data-at="35600000"]');
    assert.equal(await page.getAttribute('#fork-at', 'data-at'), '35600000');
    await page.selectOption('#fork-node', 'alpine1');
    await page.selectOption('#fork-change', 'disconnect');
    await page.check('#fork-instead');
    await page.click('#fork-run');
    await page.waitForSelector('#fork-result .fork-side', { timeout: 30_000 });
    assert.equal(await page.getAttribute('#fork-parts', 'data-us'), '35600000');
    const [original, branch] = await forkSides(page);
    assert.equal(original.id, 'fork-original');
    assert.equal(original.partsAt, branch.partsAt, 'both runs are the same up to the fork');
    assert.deepEqual(original.before, branch.before);
    assert.ok(original.before.length > 0, 'rows before the fork are in view');
    // They part exactly at the kill: FIN in one, DISCONNECT in the other.
    assert.equal(original.next, 'TCP FIN');
    assert.equal(branch.next, 'DISCONNECT');
    assert.deepEqual(original.wills, ['will published']);
    assert.deepEqual(branch.wills, ['will discarded']);
    assert.deepEqual(original.expects, ['expect ok']);
    assert.deepEqual(branch.expects, ['expect fail']);
    console.log(`fork (${locale}): parts at 35.600 s, ${original.before.length} packets shown alike before it; FIN and the will in one, DISCONNECT and no will in the other`);
    // The fork is a link.
    const href = await page.getAttribute('#fork-link', 'href');
    assert.match(href, /^#\/workspace\?.*fork=/);
    await shot(page, `fork-${locale}.png`, '#fork-result');
    await shot(page, `timeline-${locale}-scrubbed.png`, '#timeline');
    assert.deepEqual(errors, []);
  });
}

test('the Last Will lab\'s "what if" (pt-BR): Ctrl-C on mosquitto_pub instead of the kill, and its link', { timeout: 90_000 }, async () => {
  const { page, errors } = await open('pt-BR', '#/lab/last-will');
  await page.waitForSelector('#step-1.current');
  const type = async (node, command) => {
    const input = page.locator(`.terminal[data-node="${node}"] input`);
    await input.fill(command);
    await input.press('Enter');
  };
  const runStep = async (n) => {
    await page.click(`#step-${n} button.run-step`);
    await page.waitForSelector(`#step-${n} .check.ok`, { timeout: 10_000 });
  };
  await type('sensor1', (await page.textContent('#step-1 code.command')).trim());
  await runStep(1);
  await type('monitor', (await page.textContent('#step-2 code.command')).trim());
  await runStep(2);
  assert.equal(await page.$('#what-if-3'), null, 'no fork before the kill');
  await page.click('#step-3 button.step-control');
  await runStep(3);
  // The terminal docked under the steps follows the timeline too: a moment
  // before the kill, the monitor has not printed the will yet.
  const docked = () => page.$$eval('li.docked .terminal .term-screen .line', (ls) => ls.map((l) => l.textContent));
  assert.ok((await docked()).includes('off-line'), JSON.stringify(await docked()));
  const killUs = Number(await page.getAttribute('#timeline button.mark.event', 'data-time'));
  await scrubTo(page, Math.floor(killUs / 1000) * 1000 - 1000);
  const before = await docked();
  assert.ok(before.length > 0 && !before.includes('off-line'), JSON.stringify(before));
  await page.click('#live');
  await page.waitForSelector('#scrub-at', { state: 'detached' });
  assert.ok((await docked()).includes('off-line'));
  await page.click('#what-if-3');
  await page.waitForSelector('#fork-result .fork-side', { timeout: 30_000 });
  // The page says why the will goes out in both runs.
  assert.match(await page.textContent('#step-3 .what-if p'), /mosquitto_pub 2\.0\.11 não trata o Ctrl-C/);
  const [original, branch] = await forkSides(page);
  assert.deepEqual(original.before, branch.before);
  assert.equal(original.next, 'TCP FIN');
  assert.equal(branch.next, 'TCP FIN', 'mosquitto_pub sends no DISCONNECT on Ctrl-C');
  assert.deepEqual(original.wills, ['will published']);
  assert.deepEqual(branch.wills, ['will published']);
  const parts = await page.getAttribute('#fork-parts', 'data-us');
  const href = await page.getAttribute('#fork-link', 'href');
  assert.match(href, /^#\/lab\/last-will\?fork=/);
  await shot(page, 'fork-lab-pt-BR.png');
  // The link opens the lab with the same two runs.
  await open('pt-BR', href);
  await page.waitForSelector('#fork-result .fork-side', { timeout: 30_000 });
  assert.equal(await page.getAttribute('#fork-parts', 'data-us'), parts);
  const [o2, b2] = await forkSides(page);
  assert.equal(o2.next, 'TCP FIN');
  assert.equal(b2.next, 'TCP FIN');
  assert.deepEqual(errors, []);
});

test('topology (en-US): packets move along the links, a click picks out the lifeline', { timeout: 60_000 }, async () => {
  const { page, errors } = await open('en-US', '#/workspace?bundled=06-last-will&seed=1');
  await page.waitForSelector('#view-topology');
  await page.click('#view-topology');
  await page.waitForSelector('#topology-svg');
  await runTo(page, 19);
  // Play at 1x: the retained "on-line" and the next publishes travel.
  await page.click('#play');
  const moving = await (
    await page.waitForFunction(
      () => {
        const c = document.querySelector('#topology-svg circle.packet');
        return c && { animation: getComputedStyle(c).animationName, dx: c.style.getPropertyValue('--dx') };
      },
      null,
      { timeout: 15_000 },
    )
  ).jsonValue();
  assert.equal(moving.animation, 'topo-packet');
  assert.match(moving.dx, /px$/);
  await shot(page, 'topology-moving-en-US.png', '#topology-svg');
  await page.click('#play');
  await page.click('#topology-svg .topo-node[data-node="alpine2"]');
  const stroke = await page.$eval('svg.seq-rows .lifeline[data-lane="alpine2"]', (l) => getComputedStyle(l).strokeWidth);
  const other = await page.$eval('svg.seq-rows .lifeline[data-lane="broker1"]', (l) => getComputedStyle(l).strokeWidth);
  assert.equal(stroke, '3px');
  assert.notEqual(other, '3px');
  assert.deepEqual(errors, []);
});
