use openrouter::types::chat::{ChatRequest, Message};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), openrouter::Error> {
    let client = openrouter::Client::from_env()?;
    let answer = client
        .chat()
        .create(ChatRequest::new("openai/gpt-4o-mini", vec![Message::user("Hello")]))
        .await?;
    println!("{:?}", answer.choices.first().and_then(|c| c.message.content.as_ref()));
    Ok(())
}
