use async_openai::config::OpenAIConfig;
use async_openai::types::{ChatCompletionRequestUserMessageArgs, CreateChatCompletionRequestArgs};
use async_openai::Client;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = std::env::var("OPENROUTER_API_KEY")?;
    let config = OpenAIConfig::new()
        .with_api_base("https://openrouter.ai/api/v1")
        .with_api_key(key);
    let client = Client::with_config(config);
    let request = CreateChatCompletionRequestArgs::default()
        .model("openai/gpt-4o-mini")
        .messages([ChatCompletionRequestUserMessageArgs::default()
            .content("Hello")
            .build()?
            .into()])
        .build()?;
    let answer = client.chat().create(request).await?;
    println!("{:?}", answer.choices.first().and_then(|c| c.message.content.as_ref()));
    Ok(())
}
