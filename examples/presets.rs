//! Presets: list them with `.items()`, then show one preset, its versions and one version.
//! Read-only: the `create_presets_*` calls (which save a request as a preset) are not used.
//!
//! Works with any API key in `OPENROUTER_API_KEY`; `OPENROUTER_PRESET` picks the preset slug
//! (default: the first listed). Run with `cargo run --example presets --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use futures_util::StreamExt;
use openrouter::types::presets::{ListPresetVersionsQuery, ListPresetsQuery};
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let presets = client.presets();

    let mut all = presets.list(ListPresetsQuery::default().limit(20)).items();
    let mut first = None;
    while let Some(preset) = all.next().await {
        let preset = preset.inspect_err(|e| report("list", e))?;
        println!("{:<25} {:<30} {}", preset.slug, preset.name, preset.status);
        first.get_or_insert(preset.slug);
    }
    let Some(slug) = std::env::var("OPENROUTER_PRESET").ok().or(first) else {
        println!("no presets: create one in the dashboard, or set OPENROUTER_PRESET");
        return Ok(());
    };

    match presets.get(&slug).await {
        Ok(p) => {
            let version = p.data.designated_version.as_ref();
            println!(
                "{}: designated version {:?}, system prompt {:?}",
                p.data.name,
                version.map(|v| v.version),
                version.and_then(|v| v.system_prompt.as_deref())
            );
        }
        Err(e) => report("get", &e),
    }

    let versions = presets.list_versions(&slug, ListPresetVersionsQuery::default().limit(10));
    match versions.await {
        Ok(page) => {
            println!("{} versions", page.total_count);
            // Items are nullable in the spec, hence `flatten`.
            if let Some(latest) = page.data.iter().flatten().max_by_key(|v| v.version) {
                let number = latest.version.to_string();
                match presets.get_version(&slug, &number).await {
                    Ok(v) => println!(
                        "version {number}: config {:?}",
                        v.data.as_ref().map(|v| &v.config)
                    ),
                    Err(e) => report("get_version", &e),
                }
            }
        }
        Err(e) => report("list_versions", &e),
    }
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
