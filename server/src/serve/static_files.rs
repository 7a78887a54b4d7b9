//! The built web app (`trunk build --release` writes it to `dist/`), served as
//! files. Content types come from the file extension (`.wasm` is
//! `application/wasm`, which browsers require for streaming compilation).

use std::path::{Path, PathBuf};

use axum::handler::HandlerWithoutStateExt;
use axum::http::{StatusCode, Uri};
use axum::routing::MethodRouter;
use tower_http::services::ServeDir;

/// The directory served when `--dist` is not given: `./dist` if there is one,
/// else the `dist/` of the repository this binary was built from.
pub fn default_dist() -> PathBuf {
    let here = PathBuf::from("dist");
    if here.is_dir() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("dist")
}

/// Why `dist` cannot serve the app, if it cannot (for a warning at start-up).
pub fn check_dist(dist: &Path) -> Option<String> {
    if !dist.is_dir() {
        Some(format!(
            "{} is not a directory: the web app is not built (run `trunk build --release` \
             at the repository root, or pass --dist DIR)",
            dist.display()
        ))
    } else if !dist.join("index.html").is_file() {
        Some(format!(
            "{} has no index.html: the web app is not built (run `trunk build --release`)",
            dist.display()
        ))
    } else {
        None
    }
}

/// A service answering every path with the file of that name under `dist`
/// (`/` is `index.html`), or a 404 that names the path.
pub fn service(dist: &Path) -> MethodRouter {
    let dist_name = dist.display().to_string();
    let not_found = move |uri: Uri| {
        let dist_name = dist_name.clone();
        async move {
            (
                StatusCode::NOT_FOUND,
                format!("404: no file for {} in {dist_name}\n", uri.path()),
            )
        }
    };
    axum::routing::get_service(ServeDir::new(dist).fallback(not_found.into_service()))
}
