//! Analytics: activity by model and provider over the last 30 days, the metrics and dimensions
//! the analytics query accepts, and one query built from them.
//!
//! Needs a **management key** in `OPENROUTER_API_KEY`. Run with `cargo run --example analytics --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use openrouter::types::analytics::{GetUserActivityQuery, QueryAnalyticsRequest};
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let analytics = client.analytics();

    match analytics
        .get_user_activity(GetUserActivityQuery::default())
        .await
    {
        Ok(activity) => {
            println!("{} activity rows (last 30 days)", activity.data.len());
            for row in activity.data.iter().take(10) {
                println!(
                    "{} {:<35} {:<15} {:>5} requests, ${:.4}",
                    row.date, row.model, row.provider_name, row.requests, row.usage
                );
            }
        }
        Err(e) => report("get_user_activity", &e),
    }

    let meta = analytics
        .get_meta()
        .await
        .inspect_err(|e| report("get_analytics_meta", e))?;
    let names = |items: Vec<&str>| items.join(", ");
    println!(
        "metrics: {}",
        names(meta.data.metrics.iter().map(|m| m.name.as_str()).collect())
    );
    println!(
        "dimensions: {}",
        names(
            meta.data
                .dimensions
                .iter()
                .map(|d| d.name.as_str())
                .collect()
        )
    );

    // One metric split by one dimension, both taken from the meta answer.
    let (Some(metric), Some(dimension)) = (meta.data.metrics.first(), meta.data.dimensions.first())
    else {
        return Ok(());
    };
    let mut query = QueryAnalyticsRequest::new(vec![metric.name.clone()]);
    query.dimensions = Some(vec![dimension.name.clone()]);
    query.limit = Some(10);
    match analytics.query(query).await {
        Ok(result) => {
            println!("{} by {}:", metric.display_label, dimension.display_label);
            for row in &result.data.data {
                println!("  {}", serde_json::Value::Object(row.clone()));
            }
            for warning in result.data.warnings.iter().flatten() {
                println!("warning: {warning}");
            }
        }
        Err(e) => report("query_analytics", &e),
    }
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
