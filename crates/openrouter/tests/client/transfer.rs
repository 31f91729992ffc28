//! Uploads, downloads and empty answers: the multipart body as the server receives it (text,
//! array and file parts; a file from memory, a path or a reader; retries), binary downloads
//! (collected, streamed, written to a file, the idle and total timeouts, an error status), and
//! operations whose success has no body.

use std::path::PathBuf;

use futures_util::StreamExt;
use openrouter::types::generated::{
    CreateAudioTranscriptionsForm, DownloadFileContentQuery, SpeechRequest, UploadFileQuery,
};
use openrouter::types::Binary;
use openrouter::{Error, FilePart, RetryConfig, TimeoutConfig};

use crate::support::*;

/// A `POST /files` answer.
const FILE_OK: &str = r#"{"_shape":"openrouter","id":"file-1","created_at":"2026-01-01T00:00:00Z","downloadable":true,"filename":"a.txt","mime_type":"text/plain","size_bytes":11,"type":"file"}"#;

/// One part of a `multipart/form-data` body.
#[derive(Debug, PartialEq)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Part {
    fn text(name: &str, value: &str) -> Part {
        Part {
            name: name.into(),
            file_name: None,
            content_type: None,
            body: value.into(),
        }
    }

    fn file(name: &str, file_name: &str, content_type: &str, body: &[u8]) -> Part {
        Part {
            name: name.into(),
            file_name: Some(file_name.into()),
            content_type: Some(content_type.into()),
            body: body.into(),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Parses a recorded multipart request strictly (RFC 7578 framing with CRLF, the boundary
/// from the request's content type, nothing before the first or after the last boundary).
fn parse_multipart(request: &Recorded) -> Vec<Part> {
    let ct = request.header("content-type").expect("a content type");
    let boundary = ct
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart: {ct}"));
    let mut body = b"\r\n".to_vec();
    body.extend_from_slice(&request.body);
    let delimiter = format!("\r\n--{boundary}").into_bytes();
    let mut pieces = Vec::new();
    let mut rest = &body[..];
    while let Some(at) = find(rest, &delimiter) {
        pieces.push(&rest[..at]);
        rest = &rest[at + delimiter.len()..];
    }
    assert_eq!(rest, b"--\r\n", "the body ends with the closing boundary");
    assert_eq!(
        pieces.first(),
        Some(&&b""[..]),
        "nothing before the first boundary"
    );
    pieces[1..]
        .iter()
        .map(|piece| {
            let piece = piece
                .strip_prefix(b"\r\n")
                .expect("CRLF after the boundary");
            let end = find(piece, b"\r\n\r\n").expect("a blank line after the headers");
            let headers = std::str::from_utf8(&piece[..end]).unwrap();
            let mut part = Part {
                name: String::new(),
                file_name: None,
                content_type: None,
                body: piece[end + 4..].to_vec(),
            };
            for line in headers.split("\r\n") {
                let (name, value) = line.split_once(": ").expect("a header line");
                match name.to_ascii_lowercase().as_str() {
                    "content-disposition" => {
                        let params = value.strip_prefix("form-data; ").unwrap();
                        for param in params.split("; ") {
                            let (k, v) = param.split_once('=').unwrap();
                            let v = v.strip_prefix('"').unwrap().strip_suffix('"').unwrap();
                            match k {
                                "name" => part.name = v.into(),
                                "filename" => part.file_name = Some(v.into()),
                                other => panic!("unexpected parameter {other}"),
                            }
                        }
                    }
                    "content-type" => part.content_type = Some(value.into()),
                    other => panic!("unexpected part header {other}"),
                }
            }
            part
        })
        .collect()
}

/// A file in the system's temporary directory, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, contents: &[u8]) -> TempFile {
        let dir = std::env::temp_dir().join(format!(
            "openrouter-transfer-{}-{}",
            std::process::id(),
            fastrand_name()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn fastrand_name() -> u128 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    t + u128::from(N.fetch_add(1, Ordering::SeqCst))
}

/// Bytes that are not UTF-8 and hold CRLFs and dashes, as a binary file does.
fn binary_contents(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| [0u8, 0xff, b'\r', b'\n', b'-', b'"', (i % 251) as u8][i % 7])
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Uploads

#[tokio::test]
async fn an_upload_from_bytes_is_one_file_part() {
    let server = Server::always(Reply::json(200, FILE_OK));
    let contents = binary_contents(1000);
    let mut query = UploadFileQuery::default();
    query.workspace_id = Some("ws 1".into());
    client(&server)
        .files()
        .upload(query, FilePart::bytes(contents.clone()))
        .send()
        .await
        .unwrap();
    let request = server.single();
    assert_eq!(request.method, "POST");
    assert_eq!(request.uri, "/api/v1/files?workspace_id=ws%201");
    assert_eq!(
        request.header("content-length"),
        Some(request.body.len().to_string().as_str())
    );
    assert_eq!(
        parse_multipart(&request),
        [Part::file(
            "file",
            "file",
            "application/octet-stream",
            &contents
        )]
    );
}

#[tokio::test]
async fn a_transcription_form_has_text_array_and_file_parts() {
    let server = Server::always(Reply::json(200, r#"{"text":"hello"}"#));
    let mut form = CreateAudioTranscriptionsForm::new("openai/whisper-1");
    form.keyterms = Some(vec!["Open\"Router".into(), "Rust".into()]);
    form.temperature = Some(0.5);
    form.diarize = Some(true);
    form.language = Some("en".into());
    form.file = Some(Binary(b"ignored: replaced below".to_vec()));
    form.extra
        .insert("meta".into(), serde_json::json!({"a": [1, null]}));
    form.extra.insert("skipped".into(), serde_json::Value::Null);
    let response = client(&server)
        .transcriptions()
        .create(form)
        .file(FilePart::bytes(&b"RIFF....WAVE"[..]).file_name("clip \"1\".wav"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.text, "hello");
    let parts = parse_multipart(&server.single());
    assert_eq!(
        parts,
        [
            Part::text("diarize", "true"),
            Part::text("keyterms[]", "Open\"Router"),
            Part::text("keyterms[]", "Rust"),
            Part::text("language", "en"),
            Part::text("meta", r#"{"a":[1,null]}"#),
            Part::text("model", "openai/whisper-1"),
            Part::text("temperature", "0.5"),
            Part::file("file", "clip %221%22.wav", "audio/wav", b"RIFF....WAVE"),
        ]
    );
}

#[tokio::test]
async fn a_form_without_a_file_has_only_text_parts() {
    let server = Server::always(Reply::json(200, r#"{"text":"hi"}"#));
    let mut form = CreateAudioTranscriptionsForm::new("m");
    form.source_url = Some("https://example.com/a.mp3".into());
    client(&server)
        .transcriptions()
        .create(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        parse_multipart(&server.single()),
        [
            Part::text("model", "m"),
            Part::text("source_url", "https://example.com/a.mp3"),
        ]
    );
}

#[tokio::test]
async fn an_upload_from_a_path_is_reopened_for_a_retry() {
    let server = Server::start([Reply::error(503, "busy"), Reply::json(200, FILE_OK)]);
    let contents = binary_contents(150_000);
    let file = TempFile::new("notes.txt", &contents);
    let response = client(&server)
        .files()
        .upload(UploadFileQuery::default(), FilePart::path(&file.0))
        .send()
        .await
        .unwrap();
    assert_eq!(response.meta().attempts(), 2);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].body, requests[1].body,
        "the same bytes each time"
    );
    for request in &requests {
        // The length is known from the file, so the body is not chunked.
        assert_eq!(
            request.header("content-length"),
            Some(request.body.len().to_string().as_str())
        );
        assert_eq!(
            parse_multipart(request),
            [Part::file("file", "notes.txt", "text/plain", &contents)]
        );
    }
}

#[tokio::test]
async fn an_upload_from_a_reader_is_streamed_and_not_retried() {
    let server = Server::always(Reply::error(503, "busy"));
    let contents = binary_contents(200_000);
    let client = builder(&server)
        .retry(RetryConfig::new().max_retries(3).backoff(ms(1), ms(5)))
        .build()
        .unwrap();
    let err = expect_err(
        client
            .files()
            .upload(
                UploadFileQuery::default(),
                FilePart::reader(std::io::Cursor::new(contents.clone()))
                    .file_name("data.bin")
                    .content_type("application/x-custom"),
            )
            .send()
            .await,
    );
    assert_eq!(api(&err).status(), 503);
    assert_eq!(err.attempts(), 1);
    let request = server.single();
    assert_eq!(request.header("transfer-encoding"), Some("chunked"));
    assert_eq!(
        parse_multipart(&request),
        [Part::file(
            "file",
            "data.bin",
            "application/x-custom",
            &contents
        )]
    );
}

#[tokio::test]
async fn a_reader_upload_succeeds_once() {
    let server = Server::always(Reply::json(200, FILE_OK));
    client(&server)
        .files()
        .upload(UploadFileQuery::default(), FilePart::reader(&b"abc"[..]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        parse_multipart(&server.single()),
        [Part::file(
            "file",
            "file",
            "application/octet-stream",
            b"abc"
        )]
    );
}

#[tokio::test]
async fn a_missing_file_is_a_config_error_and_nothing_is_sent() {
    let server = Server::always(Reply::json(200, FILE_OK));
    let path = std::env::temp_dir().join("openrouter-no-such-dir/missing.pdf");
    let err = expect_err(
        client(&server)
            .files()
            .upload(UploadFileQuery::default(), FilePart::path(&path))
            .send()
            .await,
    );
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(err.to_string().contains("missing.pdf"), "{err}");
    assert_eq!(server.count(), 0);
}

/// Opening a file that never opens (a FIFO with no writer) is bounded by the attempt timeout.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn opening_an_upload_is_bounded_by_the_attempt_timeout() {
    let server = Server::always(Reply::json(200, FILE_OK));
    let dir = std::env::temp_dir().join(format!("openrouter-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("upload.fifo");
    let _ = std::fs::remove_file(&fifo);
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo failed");
    let start = std::time::Instant::now();
    let err = expect_err(
        client(&server)
            .files()
            .upload(UploadFileQuery::default(), FilePart::path(&fifo))
            .attempt_timeout(ms(200))
            .send()
            .await,
    );
    let elapsed = start.elapsed();
    // Release the blocked open (a writer arrives), so the runtime can shut down.
    let _writer = std::fs::OpenOptions::new().write(true).open(&fifo);
    let _ = std::fs::remove_dir_all(&dir);
    let Error::Timeout(t) = &err else {
        panic!("expected a timeout, got {err:?}")
    };
    assert_eq!(t.kind(), openrouter::TimeoutKind::Attempt);
    assert!(elapsed >= ms(200) && elapsed < ms(5000), "{elapsed:?}");
    assert_eq!(server.count(), 0, "nothing was sent");
}

#[tokio::test]
async fn a_bad_part_content_type_is_a_config_error() {
    let server = Server::always(Reply::json(200, FILE_OK));
    let err = expect_err(
        client(&server)
            .files()
            .upload(
                UploadFileQuery::default(),
                FilePart::bytes("x").content_type("text/plain\r\nX-Injected: 1"),
            )
            .send()
            .await,
    );
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn upload_debug_output_shows_neither_contents_nor_key() {
    let server = Server::always(Reply::json(200, FILE_OK));
    let call = client(&server)
        .files()
        .upload(
            UploadFileQuery::default(),
            FilePart::bytes(&b"secret-contents"[..]),
        )
        .file(FilePart::bytes(&b"more-secret-contents"[..]));
    assert_no_key("an upload call", &call);
    assert!(!format!("{call:?}").contains("secret-contents"));
}

// ---------------------------------------------------------------------------------------------
// Downloads

fn download_reply(chunks: &[&'static str]) -> Reply {
    chunks.iter().fold(
        Reply::status(200).header("content-type", "application/octet-stream"),
        |r, c| r.chunk(*c).sleep(ms(5)),
    )
}

#[tokio::test]
async fn a_download_is_collected() {
    let server = Server::always(download_reply(&["abc", "def", "ghi"]));
    let download = client(&server)
        .files()
        .download("file 1", DownloadFileContentQuery::default())
        .send()
        .await
        .unwrap();
    assert_eq!(download.content_type(), Some("application/octet-stream"));
    assert_eq!(download.content_length(), Some(9));
    assert_eq!(download.meta().status(), 200);
    assert_eq!(download.bytes().await.unwrap(), "abcdefghi");
    let request = server.single();
    assert_eq!(request.method, "GET");
    assert_eq!(request.uri, "/api/v1/files/file%201/content");
    assert_eq!(request.header("accept"), Some("*/*"));
}

#[tokio::test]
async fn a_download_streams_chunk_by_chunk() {
    let server = Server::always(
        Reply::status(200)
            .header("content-type", "audio/mpeg")
            .chunk("ID3")
            .sleep(ms(20))
            .chunk("frames"),
    );
    let request = SpeechRequest::new("openai/gpt-4o-mini-tts", "Hello".to_owned());
    let mut download = client(&server)
        .speech()
        .create(request)
        .send()
        .await
        .unwrap();
    assert_eq!(download.content_type(), Some("audio/mpeg"));
    let mut chunks = Vec::new();
    while let Some(chunk) = download.next().await {
        chunks.push(chunk.unwrap());
    }
    assert_eq!(chunks, ["ID3", "frames"]);
    let sent = server.single();
    assert_eq!(sent.header("accept"), Some("*/*"));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.json()["input"], "Hello");
}

#[tokio::test]
async fn a_download_is_written_to_a_file() {
    let server = Server::always(download_reply(&["one,", "two,", "three"]));
    let dir = TempFile::new("placeholder", b"");
    let path = dir.0.with_file_name("out.bin");
    let written = client(&server)
        .files()
        .download("f", DownloadFileContentQuery::default())
        .send()
        .await
        .unwrap()
        .write_to_file(&path)
        .await
        .unwrap();
    assert_eq!(written, 13);
    assert_eq!(std::fs::read(&path).unwrap(), b"one,two,three");

    let mut out = Vec::new();
    let written = client(&server)
        .files()
        .download("f", DownloadFileContentQuery::default())
        .send()
        .await
        .unwrap()
        .write_to(&mut out)
        .await
        .unwrap();
    assert_eq!((written, &out[..]), (13, &b"one,two,three"[..]));
}

#[tokio::test]
async fn writing_a_download_to_a_bad_path_is_an_io_error() {
    let server = Server::always(download_reply(&["x"]));
    let path = std::env::temp_dir().join("openrouter-no-such-dir/out.bin");
    let err = client(&server)
        .files()
        .download("f", DownloadFileContentQuery::default())
        .send()
        .await
        .unwrap()
        .write_to_file(&path)
        .await
        .unwrap_err();
    let Error::Io(io) = &err else {
        panic!("expected an I/O error, got {err:?}");
    };
    assert_eq!(io.path(), Some(path.as_path()));
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn the_idle_timeout_stops_a_stalled_download() {
    let server = Server::always(
        Reply::status(200)
            .header("content-type", "application/octet-stream")
            .chunk("first")
            .stall(),
    );
    let mut download = builder(&server)
        .timeouts(TimeoutConfig::new().stream_idle(ms(200)))
        .build()
        .unwrap()
        .files()
        .download("f", DownloadFileContentQuery::default())
        .send()
        .await
        .unwrap();
    assert_eq!(download.next().await.unwrap().unwrap(), "first");
    let started = std::time::Instant::now();
    let err = download.next().await.unwrap().unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(matches!(err, Error::Stream(_)), "{err:?}");
    assert!(started.elapsed() >= ms(150), "{:?}", started.elapsed());
    assert!(download.next().await.is_none());
    // The body was dropped: the connection is closed.
    server.wait_closed(1).await;
}

#[tokio::test]
async fn the_total_timeout_bounds_reading_a_download() {
    let server = Server::always(
        Reply::status(200)
            .header("content-type", "application/octet-stream")
            .every(ms(20), "tick"),
    );
    let err = client(&server)
        .files()
        .download("f", DownloadFileContentQuery::default())
        .total_timeout(ms(300))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Timeout(t) if t.kind() == openrouter::TimeoutKind::Total),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_error_status_on_a_download_is_an_api_error() {
    let server = Server::always(Reply::error(404, "no such file"));
    let err = expect_err(
        client(&server)
            .files()
            .download("f", DownloadFileContentQuery::default())
            .send()
            .await,
    );
    assert_eq!(api(&err).status(), 404);
    assert_eq!(api(&err).message(), "no such file");
}

// ---------------------------------------------------------------------------------------------
// Empty answers

#[tokio::test]
async fn an_empty_answer_is_a_unit_response() {
    let server = Server::start([Reply::status(204), Reply::status(200)]);
    let client = client(&server);
    let response = client
        .vault()
        .delete_secret("my secret")
        .send()
        .await
        .unwrap();
    assert_eq!(response.meta().status(), 204);
    assert_eq!(*response.data(), ());
    let response = client.vault().delete_secret("x").send().await.unwrap();
    assert_eq!(response.meta().status(), 200);
    let requests = server.requests();
    assert_eq!(requests[0].method, "DELETE");
    assert_eq!(requests[0].uri, "/api/v1/vault/secrets/my%20secret");
    assert!(requests[0].header("content-type").is_none());
}

#[tokio::test]
async fn an_error_body_on_an_empty_operation_is_an_api_error() {
    let server = Server::always(Reply::json(
        200,
        r#"{"error":{"code":409,"message":"in use"}}"#,
    ));
    let err = expect_err(client(&server).vault().delete_secret("x").send().await);
    assert_eq!(api(&err).message(), "in use");
}

/// Uploads and downloads can be sent from multi-threaded code.
#[tokio::test]
async fn transfer_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let client = openrouter::Client::builder().api_key(KEY).build().unwrap();
    let upload = client
        .files()
        .upload(UploadFileQuery::default(), FilePart::reader(&b"x"[..]))
        .send();
    assert_send(&upload);
    let download = client
        .files()
        .download("f", DownloadFileContentQuery::default())
        .send();
    assert_send(&download);
    fn assert_download_send(d: openrouter::Download) {
        assert_send(&d.write_to_file("x"));
    }
    let _ = assert_download_send;
}
