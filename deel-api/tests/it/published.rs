//! Response bodies Deel publishes in its guides and API reference, decoded as the client decodes
//! what Deel sends.
//!
//! Deel's bodies are Deel's: the repository keeps only their sources and hashes
//! (`openapi/sources/published-bodies.json`). With the bodies gathered in a directory outside the
//! repository, one file per entry:
//!
//! ```text
//! DEEL_PUBLISHED_BODIES=/path/to/bodies cargo test -p deel-api --test it published -- --nocapture
//! ```
//!
//! prints each body's corrections and fails on any zero-fill in a whole body: a field Deel does
//! not send that the spec requires belongs in an overlay (`openapi/overlays/`), so that callers
//! read `None` rather than an invented `""` or 1970. Some bodies were only available cut short
//! (`partial`); what they lack may have been cut, so their zero-fills are printed, not counted.

use std::collections::BTreeMap;

use deel_api::testing::dispatch;
use deel_api::{CorrectionKind, DecodeMode};
use serde_json::Value;
use sha2::{Digest, Sha256};

const SOURCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/sources/published-bodies.json");

#[derive(serde::Deserialize)]
struct Source {
    file: String,
    url: String,
    operation: String,
    status: u16,
    partial: bool,
    sha256: String,
}

fn sources() -> Vec<Source> {
    let text = std::fs::read_to_string(SOURCES).unwrap_or_else(|e| panic!("{SOURCES}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{SOURCES}: {e}"));
    serde_json::from_value(doc["bodies"].clone()).unwrap_or_else(|e| panic!("{SOURCES}: {e}"))
}

#[test]
fn every_source_names_an_operation_of_the_client_and_a_url_of_deel() {
    let sources = sources();
    assert!(sources.len() >= 90, "{} sources", sources.len());
    let known: Vec<&str> = dispatch::OPERATIONS.iter().map(|(name, _, _)| *name).collect();
    for s in &sources {
        assert!(known.contains(&s.operation.as_str()), "{}: no operation `{}`", s.file, s.operation);
        assert!(s.url.starts_with("https://developer.deel.com/"), "{}: {}", s.file, s.url);
        assert_eq!(s.sha256.len(), 64, "{}", s.file);
    }
}

#[test]
fn published_bodies_decode_without_zero_fills() {
    let Ok(dir) = std::env::var("DEEL_PUBLISHED_BODIES") else {
        println!("published: skipped (set DEEL_PUBLISHED_BODIES to a directory of the bodies)");
        return;
    };
    let (mut checked, mut whole, mut differing, mut zero_fills, mut cut) = (0, 0, 0, Vec::new(), 0);
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for s in sources() {
        let path = std::path::Path::new(&dir).join(&s.file);
        let Ok(bytes) = std::fs::read(&path) else {
            println!("published: {} missing", s.file);
            continue;
        };
        if hex::encode(Sha256::digest(&bytes)) != s.sha256 {
            println!("published: {} differs from the body its hash names; skipped", s.file);
            continue;
        }
        checked += 1;
        whole += usize::from(!s.partial);
        let decoded =
            dispatch::decode(&s.operation, s.status, bytes::Bytes::from(bytes), DecodeMode::Lenient);
        match decoded {
            None => println!("published: {} {} has no JSON body to decode", s.file, s.operation),
            Some(Err(e)) => println!("published: {} {} does not decode: {e}", s.file, s.operation),
            Some(Ok(corrections)) => {
                differing += usize::from(!corrections.is_empty());
                for c in &corrections {
                    *kinds.entry(c.kind.as_str()).or_default() += 1;
                    let partial = if s.partial { " (partial body)" } else { "" };
                    println!("published: {} {} {c}{partial}", s.file, s.operation);
                    match (c.kind, s.partial) {
                        (CorrectionKind::ZeroFilled, false) => {
                            zero_fills.push(format!("{} {} {}", s.operation, c.pointer, s.url))
                        }
                        (CorrectionKind::ZeroFilled, true) => cut += 1,
                        _ => {}
                    }
                }
            }
        }
    }
    println!(
        "published: {checked} bodies checked ({whole} whole), {differing} with corrections, by kind {kinds:?}"
    );
    println!(
        "published: {} zero-fills in whole bodies, {cut} where a partial body was cut",
        zero_fills.len()
    );
    assert!(zero_fills.is_empty(), "fields Deel does not send, for the overlay:\n{}", zero_fills.join("\n"));
}
