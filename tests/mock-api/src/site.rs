//! `--site DIR`: serves a built web app (index.html, .js, .wasm, .css…) from its own port, a
//! different origin from the API on purpose, so the page's calls are real cross-origin calls.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

/// The router serving `dir`.
pub fn router(dir: PathBuf) -> Router {
    Router::new().fallback(serve_file).with_state(Arc::new(dir))
}

/// The content type for a file name, by extension (`application/wasm` for .wasm, so browsers
/// can compile it while it streams in).
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The file under `root` that `url_path` names, or `None` when the path tries to leave `root`.
/// Directories (and `/`) map to their `index.html`.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let relative = Path::new(url_path.trim_start_matches('/'));
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return None;
    }
    let path = root.join(relative);
    if url_path.ends_with('/') || path.is_dir() {
        Some(path.join("index.html"))
    } else {
        Some(path)
    }
}

async fn serve_file(State(root): State<Arc<PathBuf>>, uri: Uri, headers: HeaderMap) -> Response {
    let Some(path) = resolve(&root, uri.path()) else {
        return (StatusCode::BAD_REQUEST, "bad path").into_response();
    };
    let Ok(bytes) = tokio::fs::read(&path).await else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let kind = content_type(&path);
    let accepts_gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    if accepts_gzip && compressible(kind) {
        // Served compressed, as a real static host would: the load figures depend on it.
        if let Ok(Ok(gzipped)) = tokio::task::spawn_blocking(move || gzip(&bytes)).await {
            return (
                [
                    (header::CONTENT_TYPE, kind),
                    (header::CACHE_CONTROL, "no-cache"),
                    (header::CONTENT_ENCODING, "gzip"),
                    (header::VARY, "accept-encoding"),
                ],
                gzipped,
            )
                .into_response();
        }
        return (StatusCode::INTERNAL_SERVER_ERROR, "gzip failed").into_response();
    }
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
            (header::VARY, "accept-encoding"),
        ],
        bytes,
    )
        .into_response()
}

/// Whether a file of this content type is worth compressing (text and wasm; not images).
fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || matches!(
            content_type,
            "application/wasm" | "application/json" | "image/svg+xml"
        )
}

fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use flate2::write::GzEncoder;
    use std::io::Write;
    let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_root() {
        let root = Path::new("/srv/site");
        assert_eq!(resolve(root, "/app.js"), Some(root.join("app.js")));
        assert_eq!(resolve(root, "/"), Some(root.join("index.html")));
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/a/../../b"), None);
    }

    #[test]
    fn gzip_round_trips_and_only_text_and_wasm_are_compressed() {
        use std::io::Read;
        let text = "the same words again and again ".repeat(100);
        let packed = gzip(text.as_bytes()).expect("gzip into memory");
        assert!(packed.len() < text.len() / 4);
        let mut unpacked = String::new();
        flate2::read::GzDecoder::new(&packed[..])
            .read_to_string(&mut unpacked)
            .expect("valid gzip");
        assert_eq!(unpacked, text);
        assert!(compressible("application/wasm"));
        assert!(compressible("text/javascript; charset=utf-8"));
        assert!(!compressible("image/png"));
    }

    #[test]
    fn wasm_is_served_as_wasm() {
        assert_eq!(content_type(Path::new("app_bg.wasm")), "application/wasm");
        assert_eq!(
            content_type(Path::new("index.html")),
            "text/html; charset=utf-8"
        );
    }
}
