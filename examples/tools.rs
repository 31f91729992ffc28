//! Tools: the server tools OpenRouter runs for models (web search, fetch, ...), and the details
//! of one of them.
//!
//! Works with any API key in `OPENROUTER_API_KEY`. Run with `cargo run --example tools --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::types::tools::ListToolsQuery;
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;

    let tools = client
        .tools()
        .list(ListToolsQuery::default().limit(20))
        .await;
    let tools = tools.inspect_err(|e| report("list_tools", e))?;
    println!("{} server tools", tools.total_count);
    for tool in &tools.data {
        println!("  {:<30} {:<10} {}", tool.name, tool.status, tool.summary);
    }

    // `get_tool` takes the tool's name.
    let Some(first) = tools.data.first() else {
        return Ok(());
    };
    match client.tools().get(&first.name).await {
        Ok(tool) => {
            let tool = &tool.data;
            let engines: Vec<_> = tool.engines.iter().map(|e| e.name.as_str()).collect();
            println!(
                "{}: {}\n  docs {}\n  engines {}",
                tool.name,
                tool.tool_description,
                tool.docs_url,
                engines.join(", ")
            );
        }
        Err(e) => report("get_tool", &e),
    }
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
