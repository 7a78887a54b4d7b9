//! Progress through the labs, kept in the browser's local storage so that a
//! student can close the tab and come back.

use std::collections::BTreeMap;

const KEY: &str = "mqttlab.progress.v1";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Steps completed per lab id, as `id=n;id=n`.
pub fn parse(text: &str) -> BTreeMap<String, usize> {
    text.split(';')
        .filter_map(|pair| {
            let (id, n) = pair.split_once('=')?;
            Some((id.to_string(), n.parse().ok()?))
        })
        .collect()
}

/// The inverse of [`parse`].
pub fn format(map: &BTreeMap<String, usize>) -> String {
    map.iter()
        .map(|(id, n)| format!("{id}={n}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// Steps completed in every lab.
pub fn load() -> BTreeMap<String, usize> {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .map(|t| parse(&t))
        .unwrap_or_default()
}

/// Records that `done` steps of `lab` are complete (never going backwards).
pub fn save(lab: &str, done: usize) {
    let mut map = load();
    let entry = map.entry(lab.to_string()).or_insert(0);
    *entry = (*entry).max(done);
    if let Some(s) = storage() {
        let _ = s.set_item(KEY, &format(&map));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_round_trips_and_ignores_garbage() {
        let mut m = BTreeMap::new();
        m.insert("last-will".to_string(), 3);
        m.insert("qos1".to_string(), 1);
        assert_eq!(parse(&format(&m)), m);
        assert_eq!(parse("x;=;a=b;qos2=2").len(), 1);
    }
}
