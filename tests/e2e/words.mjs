// What a student reads on a Portuguese page, and whether a text is an English
// sentence: at least two English marker words and more of them than Portuguese
// ones, once quoted text (log lines, messages) and fault rules in the scenario
// language are left out. Commands, packet names, the broker's log, tool output and
// the Wireshark-style tree are not read (their elements are skipped).

// Words that mark a sentence as English (none is a Portuguese word), and words that
// mark it as Portuguese.
const ENGLISH = new Set(
  ('the and of to is are was were with from by for this that its it has have not will be been which ' +
    'when after before into than then only your you sent received connected disconnected dropped queued ' +
    'left again closed refused waiting press type run step click see there what does')
    .split(' '),
);
const PORTUGUESE = new Set(
  'de da do das dos e o os as um uma que em no na nos nas com para por se não é ao aos pelo pela mas ou ele ela'.split(' '),
);

// Text a student reads in Portuguese, with where it is.
export const readableTexts = (page) =>
  page.evaluate(() => {
    // The inspector's tree and bytes are Wireshark's words; its headings are the page's.
    const skip = 'code, pre, .terminal, .broker-log, .packet-inspector .tree, .packet-inspector .hex-view, ' +
      '.row-label, .lane-head, .node-name, .node-kind, svg text.label, svg text.time, svg title, ' +
      '.broker-state td.mono, .version, nav.langs, textarea, script, style';
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.trim();
      if (!text || n.parentElement.closest(skip)) continue;
      out.push(text);
    }
    for (const el of document.querySelectorAll('[title], [placeholder], [aria-label]')) {
      if (el.closest(skip)) continue;
      for (const a of ['title', 'placeholder', 'aria-label']) {
        const v = el.getAttribute(a);
        if (v) out.push(v);
      }
    }
    // The scenario's comments are read (the rest of the scenario is its language).
    for (const c of document.querySelectorAll('.scenario-editor span.comment')) out.push(c.textContent.replace(/^#\s*/, ''));
    return out;
  });

// Quoted text (a log line, a message) and fault rules in the scenario language
// ("drop next PUBACK to sensor1") are what the program says, not the page.
const quoted = /"[^"]*"|“[^”]*”|'[^']*'|\b(drop|delay|duplicate|stall)\b[^·,;.]*/g;

export function englishSentences(texts) {
  return [...new Set(texts)].filter((t) => {
    const words = t.toLowerCase().replace(quoted, ' ').match(/[a-zà-ú']+/g) ?? [];
    const en = words.filter((w) => ENGLISH.has(w)).length;
    const pt = words.filter((w) => PORTUGUESE.has(w)).length;
    return en >= 2 && en > pt;
  });
}

