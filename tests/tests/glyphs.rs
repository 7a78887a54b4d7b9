//! No symbol on the page that Debian's Chromium draws as an empty box: its
//! fonts (DejaVu) have no glyph for the emoji-style symbols of U+2300..U+23FF
//! (⏱ ⏳ ⏸ were all seen as boxes), U+2B00..U+2BFF or U+1F000 and above.
//! Every string the web app shows comes from `web/src` or `static/`, so a
//! character from those ranges there fails this test with its file and line.

use std::path::Path;

use mqttlab_tests::workspace_root;

fn without_font(c: char) -> bool {
    matches!(c as u32, 0x2300..=0x23FF | 0x2B00..=0x2BFF | 0x1F000..)
}

fn scan(dir: &Path, found: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            scan(&path, found);
            continue;
        }
        let text_file = matches!(
            path.extension().and_then(|x| x.to_str()),
            Some("rs" | "toml" | "css" | "html" | "mqtt" | "md")
        );
        if !text_file {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            if let Some(c) = line.chars().find(|&c| without_font(c)) {
                found.push(format!(
                    "{}:{}: U+{:04X} {c}",
                    path.display(),
                    n + 1,
                    c as u32
                ));
            }
        }
    }
}

#[test]
fn the_page_uses_no_symbol_without_a_font_in_debian_chromium() {
    let root = workspace_root();
    let mut found = Vec::new();
    for dir in ["web/src", "static"] {
        scan(&root.join(dir), &mut found);
    }
    assert!(
        found.is_empty(),
        "symbols Debian's Chromium draws as a box:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_ranges_hold_the_symbols_that_were_seen_as_boxes() {
    for c in ['⏱', '⏳', '⏸'] {
        assert!(without_font(c), "{c}");
    }
    for c in ['▶', '✓', '✗', '✕', '❚', '→'] {
        assert!(!without_font(c), "{c}");
    }
}
