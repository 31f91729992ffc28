use openrouter_rs::{
    api::chat::{ChatCompletionRequest, Message},
    types::Role,
    OpenRouterClient,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = std::env::var("OPENROUTER_API_KEY")?;
    let client = OpenRouterClient::builder().api_key(key).build()?;
    let request = ChatCompletionRequest::builder()
        .model("openai/gpt-4o-mini")
        .messages(vec![Message::new(Role::User, "Hello")])
        .build()?;
    let answer = client.chat().create(&request).await?;
    println!("{:?}", answer.choices.first().and_then(|c| c.content()));
    Ok(())
}
