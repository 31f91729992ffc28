//! System One: send state and a typed question to a System One model (such as Jev), read its answer.
//!
//! Works with any API key in `OPENROUTER_API_KEY` (`OPENROUTER_SYSTEM_ONE_MODEL` picks the
//! model). Run with `cargo run --example system_one --features full`.
//!
//! Without `OPENROUTER_API_KEY` it runs offline on the SDK's canned answers, and says so first
//! (`openrouter_examples::client`).

use std::collections::BTreeMap;

use openrouter::types::system_one::{
    DecisionsChoiceQuestion, DecisionsRequest, DecisionsResponseAnswersValue,
};
use openrouter::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let client = openrouter_examples::client()?;
    let model =
        std::env::var("OPENROUTER_SYSTEM_ONE_MODEL").unwrap_or_else(|_| "jev-latest".to_owned());

    // A "choice" question: the criteria map each allowed answer to what it means.
    let criteria = BTreeMap::from([
        (
            "positive".to_owned(),
            Some("The review recommends the product.".to_owned().into()),
        ),
        (
            "negative".to_owned(),
            Some("The review advises against it.".to_owned().into()),
        ),
    ]);
    let sentiment = DecisionsChoiceQuestion::new("Classify the review.".to_owned(), criteria);
    let questions = BTreeMap::from([("sentiment".to_owned(), sentiment.into())]);
    let state = "Battery lasts two days and the screen is gorgeous. Would buy again.".to_owned();
    let request = DecisionsRequest::new(model, state, questions);

    match client.system_one().create(request).await {
        Ok(response) => {
            for (name, answer) in &response.answers {
                match answer {
                    DecisionsResponseAnswersValue::Choice(a) => {
                        println!("{name}: {} (confidence {:?})", a.choice, a.confidence)
                    }
                    other => println!("{name}: {other:?}"),
                }
            }
            let usage = &response.usage;
            println!(
                "model {}, tokens {} in / {} out, cost {:?}",
                response.model, usage.input_tokens, usage.output_tokens, usage.cost
            );
        }
        Err(e) => match e.as_api() {
            Some(api) => eprintln!("create failed: {} {}", api.status(), api.message()),
            None => eprintln!("create failed: {e}"),
        },
    }
    Ok(())
}
