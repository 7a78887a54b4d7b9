//! Which page is open, kept in the URL's fragment (`#/inspect`) so that a link or a
//! reload opens the same page. The fragment never reaches a server.

use crate::i18n::Text;

/// A page of the lab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// Topics and wildcards.
    Topics,
    /// Inspect MQTT bytes.
    Inspect,
}

impl Page {
    /// Every page, in the order of the navigation bar.
    pub const ALL: [Page; 2] = [Page::Topics, Page::Inspect];

    /// The fragment path, without `#`.
    pub fn path(self) -> &'static str {
        match self {
            Page::Topics => "/topics",
            Page::Inspect => "/inspect",
        }
    }

    /// The navigation label.
    pub fn title(self) -> Text {
        match self {
            Page::Topics => Text::NavTopics,
            Page::Inspect => Text::NavInspect,
        }
    }

    /// The page for a fragment such as `#/inspect?x=1`; unknown fragments open the
    /// first page rather than an error, since old links should still land somewhere.
    pub fn from_fragment(fragment: &str) -> Page {
        let path = fragment.trim_start_matches('#');
        let path = path.split('?').next().unwrap_or("");
        Page::ALL
            .into_iter()
            .find(|p| p.path() == path)
            .unwrap_or(Page::Topics)
    }

    /// The page the browser's URL names.
    pub fn current() -> Page {
        web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .map(|h| Page::from_fragment(&h))
            .unwrap_or(Page::Topics)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_name_pages() {
        assert_eq!(Page::from_fragment("#/inspect"), Page::Inspect);
        assert_eq!(Page::from_fragment("#/inspect?hex=33"), Page::Inspect);
        assert_eq!(Page::from_fragment(""), Page::Topics);
        assert_eq!(Page::from_fragment("#/nowhere"), Page::Topics);
    }
}
