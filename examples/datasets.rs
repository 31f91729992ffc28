//! Datasets: public rankings of apps and models, and the median cost of a session per app.
//!
//! Works with any API key in `OPENROUTER_API_KEY`. Run with `cargo run --example datasets --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use futures_util::StreamExt;
use openrouter::types::datasets::{
    GetAppRankingsQuery, GetRankingsDailyQuery, GetSessionCostQuery,
};
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let datasets = client.datasets();

    // Paginated: `.items()` would walk every app; `take(10)` stops after the first ten.
    let mut apps = datasets
        .get_app_rankings(GetAppRankingsQuery::default().limit(10))
        .items()
        .take(10);
    while let Some(app) = apps.next().await {
        match app {
            Ok(app) => println!(
                "#{:<3} {:<30} {} tokens",
                app.rank, app.app_name, app.total_tokens
            ),
            Err(e) => report("get_app_rankings", &e),
        }
    }

    match datasets
        .get_rankings_daily(GetRankingsDailyQuery::default())
        .await
    {
        Ok(daily) => {
            for row in daily.data.iter().take(10) {
                println!(
                    "{} {:<40} {} tokens",
                    row.date, row.model_permaslug, row.total_tokens
                );
            }
        }
        Err(e) => report("get_rankings_daily", &e),
    }

    match datasets
        .get_session_cost(GetSessionCostQuery::default().limit(5))
        .await
    {
        Ok(costs) => {
            for row in &costs.data {
                println!(
                    "{:<30} {:<35} median ${:.4} a session",
                    row.app_name, row.model_permaslug, row.median_session_cost_usd
                );
            }
        }
        Err(e) => report("get_session_cost", &e),
    }
    Ok(())
}

fn report(what: &str, e: &Error) {
    match e.as_api() {
        Some(api) => eprintln!("{what} failed: {} {}", api.status(), api.message()),
        None => eprintln!("{what} failed: {e}"),
    }
}
