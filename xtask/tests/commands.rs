//! The xtask commands run as a user runs them: `fetch-spec` against a loopback server (no test
//! touches the internet) and `codegen --out`, which must leave the workspace untouched.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env_remove("OPENROUTER_OPENAPI_SPEC")
        .output()
        .expect("run xtask")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A scratch directory of this test's own, empty.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xtask-commands")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// An HTTP/1.1 server on 127.0.0.1 answering each path with a fixed status, headers and body
/// (one request per connection, then `Connection: close`); records the paths asked for.
struct Server {
    url: String,
    paths: Arc<Mutex<Vec<String>>>,
}

/// A path, and the status, extra headers and body it is answered with.
type Route = (&'static str, u16, Vec<(&'static str, String)>, Vec<u8>);

fn serve(routes: Vec<Route>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let paths = Arc::new(Mutex::new(Vec::new()));
    let seen = paths.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                match stream.read(&mut byte) {
                    Ok(1) => head.push(byte[0]),
                    _ => break,
                }
            }
            let head = String::from_utf8_lossy(&head).into_owned();
            let path = head.split(' ').nth(1).unwrap_or("").to_owned();
            seen.lock().unwrap().push(path.clone());
            let (status, headers, body) = routes
                .iter()
                .find(|(p, ..)| *p == path)
                .map(|(_, s, h, b)| (*s, h.clone(), b.clone()))
                .unwrap_or((404, Vec::new(), b"no such path".to_vec()));
            let mut response = format!(
                "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (name, value) in headers {
                response.push_str(&format!("{name}: {value}\r\n"));
            }
            response.push_str("\r\n");
            let _ = stream.write_all(response.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    Server { url, paths }
}

const SPEC: &str = r#"{"openapi":"3.1.0","info":{"title":"t","version":"1.2.3"},"paths":{"/a":{"get":{},"post":{}}}}"#;

#[test]
fn fetch_spec_writes_the_document_it_is_served() {
    let server = serve(vec![
        (
            "/openapi.json",
            302,
            vec![("location", "/files/openapi.json".into())],
            Vec::new(),
        ),
        ("/files/openapi.json", 200, Vec::new(), SPEC.into()),
    ]);
    let out = scratch("fetch-ok").join("nested/dir/openapi.json");
    let url = format!("{}/openapi.json", server.url);
    let run = xtask(&["fetch-spec", "--url", &url, "--out", out.to_str().unwrap()]);
    assert!(run.status.success(), "fetch-spec failed: {}", stderr(&run));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), SPEC);
    assert!(
        stderr(&run).contains("OpenAPI 3.1.0, API version 1.2.3, 2 operations"),
        "{}",
        stderr(&run)
    );
    assert_eq!(
        *server.paths.lock().unwrap(),
        ["/openapi.json", "/files/openapi.json"],
        "the redirect is followed"
    );
}

/// Each bad answer fails naming what was wrong, and leaves the previous spec in place.
#[test]
fn fetch_spec_fails_clearly_and_writes_nothing_on_a_bad_answer() {
    let server = serve(vec![
        ("/missing", 404, Vec::new(), b"not found".to_vec()),
        (
            "/html",
            200,
            Vec::new(),
            b"<!doctype html><p>hello</p>".to_vec(),
        ),
        (
            "/not-openapi",
            200,
            Vec::new(),
            br#"{"hello":"world"}"#.to_vec(),
        ),
        ("/truncated", 200, Vec::new(), SPEC[..40].into()),
    ]);
    let out = scratch("fetch-bad").join("openapi.json");
    std::fs::write(&out, "previous").unwrap();
    for (path, expected) in [
        ("/missing", "answered 404 Not Found, not 200 OK"),
        ("/html", "the body is not JSON"),
        ("/not-openapi", "not an OpenAPI document"),
        ("/truncated", "the body is not JSON"),
    ] {
        let url = format!("{}{path}", server.url);
        let run = xtask(&["fetch-spec", "--url", &url, "--out", out.to_str().unwrap()]);
        assert!(!run.status.success(), "{path}: fetch-spec succeeded");
        assert!(
            stderr(&run).contains(expected),
            "{path}: expected `{expected}` in: {}",
            stderr(&run)
        );
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous", "{path}");
    }
    let dir = out.parent().unwrap();
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["openapi.json"], "no partial file is left behind");
}

#[test]
fn fetch_spec_reports_an_unreachable_server() {
    // A port that was free a moment ago: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = scratch("fetch-refused").join("openapi.json");
    let url = format!("http://127.0.0.1:{port}/openapi.json");
    let run = xtask(&["fetch-spec", "--url", &url, "--out", out.to_str().unwrap()]);
    assert!(!run.status.success());
    assert!(stderr(&run).contains("failed"), "{}", stderr(&run));
    assert!(!out.exists());
}

/// The workspace root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The spec as the other spec-reading tests find it (`OPENROUTER_OPENAPI_SPEC`, the snapshot in
/// `../shared/openapi/`, or `target/openapi.json` from `cargo xtask fetch-spec`), or `None` after
/// saying on stderr that the test is skipped. With `OPENROUTER_REQUIRE_SPEC=1` (CI) a missing spec
/// fails the test instead.
fn spec_or_skip(test: &str) -> Option<PathBuf> {
    let candidates = match std::env::var_os("OPENROUTER_OPENAPI_SPEC") {
        Some(p) => vec![PathBuf::from(p)],
        None => vec![
            root()
                .parent()
                .unwrap_or(&root())
                .join("shared/openapi/openrouter-2026-10-30.openapi.json"),
            root().join("target/openapi.json"),
        ],
    };
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Some(found.clone());
    }
    let looked = candidates
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" or ");
    let message = format!(
        "skipped: {test}: the OpenAPI spec is not at {looked}; \
         set OPENROUTER_OPENAPI_SPEC or run `cargo xtask fetch-spec`"
    );
    if std::env::var_os("OPENROUTER_REQUIRE_SPEC").is_some_and(|v| !v.is_empty() && v != "0") {
        panic!("OPENROUTER_REQUIRE_SPEC is set and the spec is missing: {message}");
    }
    // Straight to the process's stderr, past the test harness's capture, so the skip shows.
    let _ = writeln!(std::io::stderr(), "{message}");
    None
}

/// Every output codegen writes, relative to the workspace root.
const OUTPUTS: &[&str] = &[
    "README.md",
    "crates/openrouter/src/api/generated.rs",
    "crates/openrouter/tests/contract/calls.rs",
    "crates/openrouter-types/src/generated/mod.rs",
    "crates/openrouter-types/src/generated/types.rs",
    "crates/openrouter-types/src/generated/operations.rs",
    "crates/openrouter-types/src/generated/groups.rs",
    "crates/openrouter-types/src/generated/registry.rs",
];

fn snapshot(base: &Path) -> Vec<Option<Vec<u8>>> {
    OUTPUTS
        .iter()
        .map(|rel| std::fs::read(base.join(rel)).ok())
        .collect()
}

#[test]
fn codegen_out_writes_every_output_there_and_leaves_the_workspace_alone() {
    let Some(spec) =
        spec_or_skip("codegen_out_writes_every_output_there_and_leaves_the_workspace_alone")
    else {
        return;
    };
    let before = snapshot(&root());
    let generated_dir = root().join("crates/openrouter-types/src/generated");
    let listing = |dir: &Path| {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let before_listing = listing(&generated_dir);
    let out = scratch("codegen-out");
    let spec = spec.to_str().unwrap();
    let run = xtask(&["codegen", "--spec", spec, "--out", out.to_str().unwrap()]);
    assert!(
        run.status.success(),
        "codegen --out failed: {}",
        stderr(&run)
    );
    assert_eq!(
        snapshot(&root()),
        before,
        "codegen --out changed the workspace"
    );
    assert_eq!(listing(&generated_dir), before_listing);
    for (rel, written) in OUTPUTS.iter().zip(snapshot(&out)) {
        let written = written.unwrap_or_else(|| panic!("codegen --out did not write {rel}"));
        assert!(!written.is_empty(), "{rel} is empty");
    }
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(readme.contains("<!-- generated: api groups (cargo xtask codegen) -->\n| Group |"));
    // The directory now holds a complete output: --check against it passes, and fails once
    // one of the files outside the types crate changes.
    let check = xtask(&[
        "codegen",
        "--spec",
        spec,
        "--out",
        out.to_str().unwrap(),
        "--check",
    ]);
    assert!(check.status.success(), "{}", stderr(&check));
    let calls = out.join("crates/openrouter/tests/contract/calls.rs");
    std::fs::write(&calls, "// edited\n").unwrap();
    let check = xtask(&[
        "codegen",
        "--spec",
        spec,
        "--out",
        out.to_str().unwrap(),
        "--check",
    ]);
    assert!(!check.status.success());
    assert!(stderr(&check).contains("calls.rs"), "{}", stderr(&check));
    assert_eq!(
        snapshot(&root()),
        before,
        "codegen --out --check changed the workspace"
    );
}
