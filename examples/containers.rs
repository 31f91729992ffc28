//! Containers: list the files of a code-execution container page by page (cursor `after` =
//! the previous page's `last_id`), fetch one file's metadata, and download its content chunk
//! by chunk, polling the `Download` stream with `StreamExt`.
//!
//! Works with any API key in `OPENROUTER_API_KEY`. The container id (as returned in bash/shell
//! tool results) comes from `OPENROUTER_CONTAINER_ID`. Run with `cargo run --example containers --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use futures_util::StreamExt;
use openrouter::types::containers::ListContainerFilesQuery;
use openrouter::Error;

const MAX_PAGES: usize = 5;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let Some(container) =
        openrouter_examples::var_or_offline("OPENROUTER_CONTAINER_ID", "cntr_offline")
    else {
        println!("Set OPENROUTER_CONTAINER_ID to a container id to list its files.");
        return Ok(());
    };
    let containers = client.containers();

    // A page can be empty yet `has_more`: follow `last_id` while it says so (bounded here).
    let mut query = ListContainerFilesQuery::default().limit(100);
    let mut first = None;
    for _ in 0..MAX_PAGES {
        let page = containers
            .list_files(&container, query.clone())
            .await
            .inspect_err(|e| report("list_container_files", e))?;
        for file in &page.data {
            println!("  {:<50} {:>10} bytes  {}", file.path, file.bytes, file.id);
        }
        first = first.or_else(|| page.data.first().map(|f| f.id.clone()));
        match (&page.last_id, page.has_more) {
            (Some(last), true) => query = query.after(last.clone()),
            _ => break,
        }
    }
    let Some(file_id) = first else {
        println!("the container has no files");
        return Ok(());
    };

    let file = containers.get_file(&container, &file_id).await;
    match file {
        Ok(file) => println!(
            "{}: {} bytes, created at {}",
            file.path, file.bytes, file.created_at
        ),
        Err(e) => report("get_container_file", &e),
    }

    // The content is a stream of `Bytes` chunks; nothing is held beyond the current chunk.
    let mut content = containers
        .download_file(&container, &file_id)
        .await
        .inspect_err(|e| report("download_container_file_content", e))?;
    println!("content type {:?}", content.content_type());
    let (mut chunks, mut total) = (0, 0);
    while let Some(chunk) = content.next().await {
        let chunk = chunk.inspect_err(|e| report("read", e))?;
        chunks += 1;
        total += chunk.len();
    }
    println!("downloaded {total} bytes in {chunks} chunks");
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
