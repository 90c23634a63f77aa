//! The browser pages' scripts and styles, embedded in the binary and served under
//! `/assets/<dir>/<file>`, so GraphiQL and the API reference work on a network without
//! internet access. Every path is versioned — `<package>-<version>` for the files vendored
//! from the npm registry (see `crates/api/assets/README.md`), `chitieu-<content hash>` for
//! our own — so each answer is `Cache-Control: public, max-age=31536000, immutable`.

use std::sync::OnceLock;

use axum::{
    body::Body,
    extract::Path,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

use crate::ApiError;

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// One embedded file.
struct Asset {
    dir: &'static str,
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($dir:literal, $name:literal, $content_type:expr) => {
        Asset {
            dir: $dir,
            name: $name,
            content_type: $content_type,
            bytes: include_bytes!(concat!("../assets/", $dir, "/", $name)),
        }
    };
}

/// Vendored files, each with its package's licence.
static VENDORED: [Asset; 9] = [
    asset!("graphiql-3.9.0", "graphiql.min.js", JS),
    asset!("graphiql-3.9.0", "graphiql.min.css", CSS),
    asset!("graphiql-3.9.0", "LICENSE", TEXT),
    asset!("react-18.3.1", "react.production.min.js", JS),
    asset!("react-18.3.1", "LICENSE", TEXT),
    asset!("react-dom-18.3.1", "react-dom.production.min.js", JS),
    asset!("react-dom-18.3.1", "LICENSE", TEXT),
    asset!("scalar-api-reference-1.76.0", "standalone.js", JS),
    asset!("scalar-api-reference-1.76.0", "LICENSE", TEXT),
];

/// Our own files, served under `chitieu-<hash of their contents>`.
static OWN: [Asset; 3] = [
    asset!("chitieu", "graphiql.js", JS),
    asset!("chitieu", "graphiql.css", CSS),
    asset!("chitieu", "docs.js", JS),
];

/// `chitieu-` and the first 12 hex digits of the SHA-256 of our own files: a new build that
/// changes any of them serves them under a new path.
fn own_dir() -> &'static str {
    static DIR: OnceLock<String> = OnceLock::new();
    DIR.get_or_init(|| {
        let mut hash = Sha256::new();
        for a in &OWN {
            hash.update(a.name.as_bytes());
            hash.update([0]);
            hash.update(a.bytes);
        }
        format!("chitieu-{}", &hex::encode(hash.finalize())[..12])
    })
}

fn find(dir: &str, name: &str) -> Option<&'static Asset> {
    if dir == own_dir() {
        OWN.iter().find(|a| a.name == name)
    } else {
        VENDORED.iter().find(|a| a.dir == dir && a.name == name)
    }
}

/// The path a page uses for an embedded file (`dir` is `chitieu` for our own files).
pub fn url(dir: &str, name: &str) -> String {
    let dir = if dir == "chitieu" { own_dir() } else { dir };
    debug_assert!(find(dir, name).is_some(), "no asset {dir}/{name}");
    format!("/assets/{dir}/{name}")
}

/// `GET /assets/{dir}/{file}`: an embedded file, cached for a year (404 `not_found` for any
/// other path).
pub async fn get(Path((dir, name)): Path<(String, String)>) -> Response {
    let Some(asset) = find(&dir, &name) else {
        return ApiError::not_found("not_found", "no such asset").into_response();
    };
    let mut res = Body::from(asset.bytes).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_is_found_under_its_url() {
        for a in VENDORED.iter().chain(&OWN) {
            let url = url(a.dir, a.name);
            let rest = url.strip_prefix("/assets/").unwrap_or_default();
            let (dir, name) = rest.split_once('/').unwrap_or_default();
            assert!(
                find(dir, name).is_some_and(|f| std::ptr::eq(f.bytes, a.bytes)),
                "{url}"
            );
            assert!(!a.bytes.is_empty(), "{url}");
        }
        assert!(own_dir().starts_with("chitieu-") && own_dir().len() == 20);
        assert!(
            find("chitieu", "docs.js").is_none(),
            "our files only under the hashed dir"
        );
        assert!(find("graphiql-3.9.0", "../LICENSE").is_none());
    }

    #[test]
    fn vendored_files_match_this_readme() {
        let readme = include_str!("../assets/README.md");
        for a in &VENDORED {
            let path = format!("`{}/{}`", a.dir, a.name);
            let row = readme
                .lines()
                .find(|l| l.starts_with(&format!("| {path} |")))
                .unwrap_or_else(|| panic!("{path} is not listed in assets/README.md"));
            let digest = hex::encode(Sha256::digest(a.bytes));
            assert!(
                row.contains(&format!("`{digest}`")),
                "{path}: SHA-256 {digest} differs from assets/README.md"
            );
        }
    }
}
