//! Which page is open and what it shows, kept in the URL's fragment so that a link
//! or a reload opens the same thing: `#/workspace?seed=7&scenario=...`,
//! `#/lab/last-will?step=2`. The fragment never reaches a server, so sharing a
//! scenario sends nothing anywhere.

use std::collections::BTreeMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::i18n::Text;

/// A page of the lab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// The free workspace: a scenario, its world, every view.
    Workspace,
    /// The list of guided labs.
    Labs,
    /// One guided lab, by id.
    Lab(String),
    /// Topics and wildcards.
    Topics,
    /// Inspect MQTT bytes.
    Inspect,
    /// Connect to a real broker over WebSocket.
    Connect,
    /// Open a Wireshark capture.
    Capture,
    /// A student joins the class (`mqttlab serve --classroom`).
    Join,
    /// The teacher's console (its link carries `?token=`).
    Teacher,
}

impl Page {
    /// The pages of the navigation bar, in order.
    pub const NAV: [Page; 6] = [
        Page::Labs,
        Page::Workspace,
        Page::Topics,
        Page::Inspect,
        Page::Connect,
        Page::Capture,
    ];

    /// The fragment path, without `#`.
    pub fn path(&self) -> String {
        match self {
            Page::Workspace => "/workspace".into(),
            Page::Labs => "/labs".into(),
            Page::Lab(id) => format!("/lab/{id}"),
            Page::Topics => "/topics".into(),
            Page::Inspect => "/inspect".into(),
            Page::Connect => "/connect".into(),
            Page::Capture => "/capture".into(),
            Page::Join => "/join".into(),
            Page::Teacher => "/teacher".into(),
        }
    }

    /// The navigation label.
    pub fn title(&self) -> Text {
        match self {
            Page::Workspace => Text::NavWorkspace,
            Page::Labs | Page::Lab(_) => Text::NavLabs,
            Page::Topics => Text::NavTopics,
            Page::Inspect => Text::NavInspect,
            Page::Connect => Text::NavConnect,
            Page::Capture => Text::NavCapture,
            Page::Join | Page::Teacher => Text::NavLabs,
        }
    }

    /// Whether the navigation entry `nav` should look active on this page.
    pub fn is_under(&self, nav: &Page) -> bool {
        self == nav || matches!((self, nav), (Page::Lab(_), Page::Labs))
    }
}

/// A page and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The page.
    pub page: Page,
    /// `key=value` pairs after `?`, decoded.
    pub params: BTreeMap<String, String>,
}

impl Route {
    /// A route without parameters.
    pub fn to(page: Page) -> Route {
        Route {
            page,
            params: BTreeMap::new(),
        }
    }

    /// The route a fragment such as `#/lab/qos1?step=2` names. Unknown paths open
    /// the labs list, since an old link should still land somewhere useful.
    pub fn parse(fragment: &str) -> Route {
        let rest = fragment.trim_start_matches('#');
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let page = match path {
            "/workspace" => Page::Workspace,
            "/labs" | "" | "/" => Page::Labs,
            "/topics" => Page::Topics,
            "/inspect" => Page::Inspect,
            "/connect" => Page::Connect,
            "/capture" => Page::Capture,
            "/join" => Page::Join,
            "/teacher" => Page::Teacher,
            p => match p.strip_prefix("/lab/") {
                Some(id) if !id.is_empty() => Page::Lab(id.to_string()),
                _ => Page::Labs,
            },
        };
        let params = query
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (k.to_string(), v.to_string())
            })
            .collect();
        Route { page, params }
    }

    /// The fragment for this route, with `#`.
    pub fn fragment(&self) -> String {
        let mut s = format!("#{}", self.page.path());
        for (i, (k, v)) in self.params.iter().enumerate() {
            s.push(if i == 0 { '?' } else { '&' });
            s.push_str(k);
            s.push('=');
            s.push_str(v);
        }
        s
    }

    /// The route of the browser's URL.
    pub fn current() -> Route {
        web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .map(|h| Route::parse(&h))
            .unwrap_or_else(|| Route::to(Page::Labs))
    }

    /// Writes this route into the address bar without adding a history entry or
    /// re-rendering (for state the page already shows, like the seed).
    pub fn replace(&self) {
        if let Some(h) = web_sys::window().and_then(|w| w.history().ok()) {
            let _ =
                h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&self.fragment()));
        }
    }
}

/// Text as a URL parameter: base64url of its UTF-8, no padding.
pub fn encode_text(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(text.as_bytes())
}

/// Why a shared URL's parameter could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareError {
    /// Not base64url.
    NotBase64(String),
    /// Decodes, but not to UTF-8 text.
    NotText,
    /// A number parameter that is not a number.
    NotANumber(String, String),
    /// `bundled=NAME` names no bundled scenario.
    NoBundled(String),
}

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShareError::NotBase64(e) => write!(f, "the shared scenario is damaged ({e})"),
            ShareError::NotText => f.write_str("the shared scenario is not text"),
            ShareError::NotANumber(k, v) => write!(f, "'{k}={v}' is not a number"),
            ShareError::NoBundled(name) => write!(f, "there is no bundled scenario '{name}'"),
        }
    }
}

/// The inverse of [`encode_text`].
pub fn decode_text(param: &str) -> Result<String, ShareError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(param.trim_end_matches('='))
        .map_err(|e| ShareError::NotBase64(e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| ShareError::NotText)
}

/// A numeric parameter, if present.
pub fn number_param(route: &Route, key: &str) -> Result<Option<u64>, ShareError> {
    match route.params.get(key) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| ShareError::NotANumber(key.into(), v.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_name_pages_and_params() {
        assert_eq!(Route::parse("#/inspect").page, Page::Inspect);
        assert_eq!(Route::parse("").page, Page::Labs);
        assert_eq!(Route::parse("#/nowhere").page, Page::Labs);
        let r = Route::parse("#/lab/last-will?step=2");
        assert_eq!(r.page, Page::Lab("last-will".into()));
        assert_eq!(number_param(&r, "step"), Ok(Some(2)));
        assert_eq!(Route::parse(&r.fragment()), r);
        assert!(number_param(&Route::parse("#/workspace?seed=x"), "seed").is_err());
    }

    #[test]
    fn scenarios_travel_in_the_url() {
        let text = "broker b\nclient c -> b # ação\nat 1s c: mosquitto_sub -t \"a/#\"";
        let param = encode_text(text);
        assert!(param
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(decode_text(&param).unwrap(), text);
        assert!(matches!(decode_text("%%%"), Err(ShareError::NotBase64(_))));
        assert_eq!(
            decode_text(&URL_SAFE_NO_PAD.encode([0xff, 0xfe])),
            Err(ShareError::NotText)
        );
    }
}
