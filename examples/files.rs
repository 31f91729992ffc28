//! Files: upload a file from disk (`FilePart::path`) and one from memory (`FilePart::bytes`),
//! list the workspace's files with `.items()`, fetch one's metadata, download a downloadable
//! file with `write_to_file`, and delete the uploads.
//!
//! Works with any API key in `OPENROUTER_API_KEY`. Uploads `OPENROUTER_UPLOAD_FILE` when set,
//! else a small text file the example writes. Run with `cargo run --example files --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use futures_util::StreamExt;
use openrouter::types::files::{
    DeleteFileQuery, DownloadFileContentQuery, FileResponse, GetFileMetadataQuery, ListFilesQuery,
    UploadFileQuery,
};
use openrouter::{Error, FilePart};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let files = client.files();
    let tmp = std::env::temp_dir().join(format!("openrouter-files-{}", std::process::id()));
    let path = std::env::var("OPENROUTER_UPLOAD_FILE").map_or_else(
        |_| {
            let path = tmp.with_extension("txt");
            std::fs::write(&path, "Hello from the OpenRouter Rust SDK.\n").map(|()| path)
        },
        |path| Ok(path.into()),
    );
    let Ok(path) = path.inspect_err(|e| eprintln!("cannot write the file to upload: {e}")) else {
        return Ok(());
    };

    // The file is a part: a path is streamed, and re-opened on a retry.
    let in_memory = FilePart::bytes(&b"# Notes\n\nkept in memory\n"[..])
        .file_name("notes.md")
        .content_type("text/markdown");
    let mut uploaded = Vec::new();
    for part in [FilePart::path(&path), in_memory] {
        // The response is a union of shapes; without `provider` it is the OpenRouter one.
        let call = files.upload(UploadFileQuery::default(), part);
        match call.await.as_deref() {
            Ok(FileResponse::Openrouter(f)) => {
                println!(
                    "uploaded {} {} ({} bytes, {})",
                    f.id, f.filename, f.size_bytes, f.mime_type
                );
                uploaded.push(f.id.clone());
            }
            Ok(other) => println!("uploaded, in another shape: {other:?}"),
            Err(e) => report("upload", e),
        }
    }

    // Items are JSON values, since a page may come in any of the shapes.
    let mut listing = files
        .list(ListFilesQuery::default().limit(20))
        .items()
        .take(20);
    let mut downloadable = None;
    while let Some(item) = listing.next().await {
        let Ok(item) = item.inspect_err(|e| report("list", e)) else {
            break;
        };
        println!("  listed {} {}", item["id"], item["filename"]);
        if downloadable.is_none() && item["downloadable"] == true {
            downloadable = item["id"].as_str().map(str::to_owned);
        }
    }

    if let Some(id) = uploaded.first() {
        match files
            .get(id, GetFileMetadataQuery::default())
            .await
            .as_deref()
        {
            Ok(FileResponse::Openrouter(f)) => println!("{id}: downloadable {}", f.downloadable),
            Ok(other) => println!("{id}: {other:?}"),
            Err(e) => report("retrieve", e),
        }
    }
    // Only files created server-side can be downloaded: an uploaded one answers 400.
    if let Some(id) = downloadable {
        let out = tmp.with_extension("download");
        let download = async {
            let body = files
                .download(&id, DownloadFileContentQuery::default())
                .await?;
            body.write_to_file(&out).await
        };
        match download.await {
            Ok(n) => println!("downloaded {id}: {n} bytes to {}", out.display()),
            Err(e) => report("download", &e),
        }
        let _ = std::fs::remove_file(&out);
    } else {
        println!("no downloadable file listed (uploads never are), nothing to download");
    }

    // Best-effort cleanup, whatever happened above.
    for id in &uploaded {
        match files.delete(id, DeleteFileQuery::default()).await {
            Ok(_) => println!("deleted {id}"),
            Err(e) => report("delete", &e),
        }
    }
    let _ = std::fs::remove_file(tmp.with_extension("txt"));
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
