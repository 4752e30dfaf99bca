//! Persisted documents: which GraphQL document a request runs when it sends
//! a hash or an id instead of (or besides) the text.
//!
//! - **Automatic persisted queries** (Apollo's protocol, the default). A
//!   client sends `extensions.persistedQuery.sha256Hash` alone; the server
//!   runs the document it has under that hash, or answers
//!   `PERSISTED_QUERY_NOT_FOUND`, and the client sends hash and text
//!   together once. The server checks that the text has that hash
//!   (`PERSISTED_QUERY_HASH_MISMATCH`) and keeps it in a cache bounded in
//!   entries and bytes, least recently used first out.
//! - **Trusted documents** (`ALUMNI_TRUSTED_DOCUMENTS=manifest.json`). Only
//!   the operations of the manifest run: by id (`documentId`, Relay's
//!   `doc_id` or `id`), by hash (`persistedQuery.sha256Hash`), or as text
//!   identical to a listed document; anything else is
//!   `PERSISTED_QUERY_NOT_ALLOWED`. The manifest is a JSON object from id
//!   to document, as graphql-codegen's client preset
//!   (`persisted-documents.json`) and relay-compiler's persisted output
//!   write it.

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use lru::LruCache;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use crate::graphql_http::{Params, RequestError};

/// Most documents the automatic cache keeps.
const CACHED_DOCUMENTS: usize = 1_000;
/// Most bytes of document text the automatic cache keeps.
const CACHED_BYTES: usize = 8 * 1024 * 1024;

/// Where requests' documents come from.
pub struct Documents(Mode);

impl std::fmt::Debug for Documents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Mode::Automatic(_) => "Documents::Automatic",
            Mode::Trusted(_) => "Documents::Trusted",
        })
    }
}

enum Mode {
    Automatic(Mutex<Cache>),
    Trusted(Manifest),
}

struct Cache {
    documents: LruCache<String, Arc<str>>,
    bytes: usize,
}

struct Manifest {
    by_id: HashMap<String, Arc<str>>,
    by_hash: HashMap<String, Arc<str>>,
}

/// A trusted-documents manifest that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("cannot read the trusted documents at {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a JSON object from ids to documents.
    #[error("the trusted documents at {path} are not a JSON object from ids to documents")]
    Shape {
        /// The file.
        path: String,
    },
}

impl Documents {
    /// Automatic persisted queries, any document allowed.
    pub fn automatic() -> Self {
        let entries = NonZeroUsize::new(CACHED_DOCUMENTS).unwrap_or(NonZeroUsize::MIN);
        Documents(Mode::Automatic(Mutex::new(Cache {
            documents: LruCache::new(entries),
            bytes: 0,
        })))
    }

    /// Only the documents of the manifest at `path`.
    pub fn trusted(path: &Path) -> Result<Self, ManifestError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
            path: shown.clone(),
            source,
        })?;
        Self::from_manifest(&text).ok_or(ManifestError::Shape { path: shown })
    }

    fn from_manifest(text: &str) -> Option<Self> {
        let Value::Object(entries) = serde_json::from_str(text).ok()? else {
            return None;
        };
        let mut manifest = Manifest {
            by_id: HashMap::new(),
            by_hash: HashMap::new(),
        };
        for (id, document) in entries {
            let Value::String(document) = document else {
                return None;
            };
            let document: Arc<str> = document.into();
            manifest.by_hash.insert(sha256(&document), document.clone());
            manifest.by_id.insert(id, document);
        }
        Some(Documents(Mode::Trusted(manifest)))
    }

    /// Whether only the manifest's documents run.
    pub fn is_trusted(&self) -> bool {
        matches!(self.0, Mode::Trusted(_))
    }

    /// The document `params` asks to run.
    pub fn resolve(&self, params: &Params) -> Result<Arc<str>, RequestError> {
        let hash = persisted_hash(params)?;
        match &self.0 {
            Mode::Automatic(cache) => resolve_automatic(cache, params, hash),
            Mode::Trusted(manifest) => resolve_trusted(manifest, params, hash),
        }
    }
}

fn resolve_automatic(
    cache: &Mutex<Cache>,
    params: &Params,
    hash: Option<String>,
) -> Result<Arc<str>, RequestError> {
    let hash = hash.or_else(|| {
        params
            .document_id
            .as_deref()
            .and_then(|id| id.strip_prefix("sha256:"))
            .map(str::to_ascii_lowercase)
    });
    let mut cache = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match (&params.query, hash) {
        (Some(query), Some(hash)) => {
            if sha256(query) != hash {
                return Err(persisted_error(
                    "PERSISTED_QUERY_HASH_MISMATCH",
                    "the document's SHA-256 hash is not the one sent".to_owned(),
                ));
            }
            let document: Arc<str> = query.as_str().into();
            cache.keep(hash, document.clone());
            Ok(document)
        }
        (Some(query), None) => Ok(query.as_str().into()),
        (None, Some(hash)) => cache.documents.get(&hash).cloned().ok_or_else(|| {
            persisted_error(
                "PERSISTED_QUERY_NOT_FOUND",
                "PersistedQueryNotFound: send the document with its hash once".to_owned(),
            )
        }),
        (None, None) => Err(no_query()),
    }
}

impl Cache {
    fn keep(&mut self, hash: String, document: Arc<str>) {
        if document.len() > CACHED_BYTES || self.documents.contains(&hash) {
            return;
        }
        self.bytes += document.len();
        if let Some((_, pushed_out)) = self.documents.push(hash, document) {
            self.bytes -= pushed_out.len();
        }
        while self.bytes > CACHED_BYTES {
            match self.documents.pop_lru() {
                Some((_, old)) => self.bytes -= old.len(),
                None => break,
            }
        }
    }
}

fn resolve_trusted(
    manifest: &Manifest,
    params: &Params,
    hash: Option<String>,
) -> Result<Arc<str>, RequestError> {
    let by_id = params.document_id.as_deref().and_then(|id| {
        manifest.by_id.get(id).or_else(|| {
            id.strip_prefix("sha256:")
                .and_then(|hash| manifest.by_hash.get(&hash.to_ascii_lowercase()))
        })
    });
    let by_hash = hash.as_deref().and_then(|hash| {
        manifest
            .by_hash
            .get(hash)
            .or_else(|| manifest.by_id.get(hash))
    });
    let by_text = params
        .query
        .as_deref()
        .and_then(|query| manifest.by_hash.get(&sha256(query)));
    match by_id.or(by_hash).or(by_text) {
        Some(document) => Ok(document.clone()),
        None if params.query.is_none() && params.document_id.is_none() && hash.is_none() => {
            Err(no_query())
        }
        None => Err(persisted_error(
            "PERSISTED_QUERY_NOT_ALLOWED",
            "this server runs only the operations of its trusted documents".to_owned(),
        )),
    }
}

/// The hash of `extensions.persistedQuery`, checked, in lower case.
fn persisted_hash(params: &Params) -> Result<Option<String>, RequestError> {
    let Some(persisted) = params
        .extensions
        .as_ref()
        .and_then(|extensions| extensions.get("persistedQuery"))
    else {
        return Ok(None);
    };
    if persisted.get("version").and_then(Value::as_u64) != Some(1) {
        return Err(persisted_error(
            "PERSISTED_QUERY_NOT_SUPPORTED",
            "only version 1 of persisted queries is supported".to_owned(),
        ));
    }
    let hash = persisted
        .get("sha256Hash")
        .and_then(Value::as_str)
        .filter(|hash| hash.len() == 64 && hash.bytes().all(|byte| byte.is_ascii_hexdigit()))
        .ok_or_else(|| {
            persisted_error(
                "BAD_REQUEST",
                "`persistedQuery.sha256Hash` must be 64 hexadecimal digits".to_owned(),
            )
        })?;
    Ok(Some(hash.to_ascii_lowercase()))
}

fn persisted_error(code: &'static str, message: String) -> RequestError {
    RequestError {
        status: StatusCode::BAD_REQUEST,
        code,
        message,
    }
}

fn no_query() -> RequestError {
    persisted_error("BAD_REQUEST", "the request has no `query`".to_owned())
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn params(query: Option<&str>, hash: Option<&str>) -> Params {
        Params {
            query: query.map(str::to_owned),
            extensions: hash.map(|hash| {
                json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
                    .as_object()
                    .cloned()
                    .unwrap()
            }),
            ..Params::default()
        }
    }

    #[test]
    fn automatic_queries_are_registered_then_found_by_hash() {
        let documents = Documents::automatic();
        let query = "{ __typename }";
        let hash = sha256(query);
        let missing = documents.resolve(&params(None, Some(&hash))).unwrap_err();
        assert_eq!(missing.code, "PERSISTED_QUERY_NOT_FOUND");
        let wrong = documents
            .resolve(&params(Some("{ me { roles } }"), Some(&hash)))
            .unwrap_err();
        assert_eq!(wrong.code, "PERSISTED_QUERY_HASH_MISMATCH");
        assert_eq!(
            &*documents
                .resolve(&params(Some(query), Some(&hash)))
                .unwrap(),
            query
        );
        assert_eq!(
            &*documents.resolve(&params(None, Some(&hash))).unwrap(),
            query
        );
    }

    #[test]
    fn the_cache_is_bounded_in_bytes() {
        let documents = Documents::automatic();
        let Mode::Automatic(cache) = &documents.0 else {
            unreachable!("automatic");
        };
        let mut cache = cache.lock().unwrap();
        for n in 0..20 {
            let document: Arc<str> = format!("{n}{}", " ".repeat(1_000_000)).into();
            cache.keep(sha256(&document), document);
        }
        assert!(cache.bytes <= CACHED_BYTES);
        assert_eq!(
            cache.bytes,
            cache.documents.iter().map(|(_, d)| d.len()).sum::<usize>()
        );
    }

    #[test]
    fn trusted_documents_run_by_id_hash_or_identical_text_only() {
        let query = "query Me { me { roles } }";
        let documents = Documents::from_manifest(&json!({ "abc123": query }).to_string()).unwrap();
        let by_id = Params {
            document_id: Some("abc123".to_owned()),
            ..Params::default()
        };
        assert_eq!(&*documents.resolve(&by_id).unwrap(), query);
        assert_eq!(
            &*documents
                .resolve(&params(None, Some(&sha256(query))))
                .unwrap(),
            query
        );
        assert_eq!(
            &*documents.resolve(&params(Some(query), None)).unwrap(),
            query
        );
        let other = documents
            .resolve(&params(Some("{ __typename }"), None))
            .unwrap_err();
        assert_eq!(other.code, "PERSISTED_QUERY_NOT_ALLOWED");
        assert!(Documents::from_manifest("[]").is_none());
    }
}
