//! GraphiQL, served entirely from the binary: the page, its script and its
//! stylesheet. An HR system often runs on an intranet without internet
//! access, where a page that loads React and GraphiQL from a CDN stays
//! blank. The script and stylesheet are a production build made by
//! `tools/graphiql` (see its README) and checked in under `assets/`.

use std::sync::LazyLock;

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest as _, Sha256};

const SCRIPT: &[u8] = include_bytes!("../assets/graphiql/graphiql.js");
const STYLESHEET: &[u8] = include_bytes!("../assets/graphiql/graphiql.css");

/// Where the assets are served; their URLs carry a digest of their content,
/// so browsers may keep them for good and still never run a stale build.
const SCRIPT_PATH: &str = "/graphiql/graphiql.js";
const STYLESHEET_PATH: &str = "/graphiql/graphiql.css";

/// The page allows only this server: scripts and styles from here,
/// requests to here (HTTP and WebSocket). GraphiQL sets inline styles, and
/// its fonts and icons are data URLs.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

static PAGE: LazyLock<String> = LazyLock::new(|| {
    format!(
        r#"<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Alumni Network API</title>
<link rel="stylesheet" href="{STYLESHEET_PATH}?v={}">
<style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="{SCRIPT_PATH}?v={}"></script>
</body>
</html>
"#,
        digest(STYLESHEET),
        digest(SCRIPT)
    )
});

fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(6)
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The GraphiQL page.
pub async fn page() -> Response {
    (
        [
            (CONTENT_SECURITY_POLICY, PAGE_POLICY),
            (CACHE_CONTROL, "no-cache"),
        ],
        Html(PAGE.as_str()),
    )
        .into_response()
}

/// The routes of the page's assets.
pub fn asset_routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route(
            SCRIPT_PATH,
            get(async || asset("text/javascript; charset=utf-8", SCRIPT)),
        )
        .route(
            STYLESHEET_PATH,
            get(async || asset("text/css; charset=utf-8", STYLESHEET)),
        )
}

fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    (
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}
