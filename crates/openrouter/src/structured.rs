//! Structured output: a call whose answer is parsed into your type.
//!
//! [`Call::parsed`] sends a chat or Responses call and parses the answer's text as `T`;
//! with the feature `schemars`, `client.chat().create_parsed::<T>(request)` (and
//! `client.responses().create_parsed::<T>(..)`) also sets the request's response format to
//! `T`'s JSON Schema, strict. A refusal or an answer that does not parse is
//! [`Error::Parse`], which keeps the text.

use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use openrouter_types::error::ParseError;
#[cfg(feature = "chat")]
use openrouter_types::generated::ChatResult;
#[cfg(feature = "responses")]
use openrouter_types::generated::OpenResponsesResult;
use serde::de::DeserializeOwned;

use crate::call::Call;
use crate::error::Error;
use crate::response::Response;

/// The value parsed from an answer, beside the whole response (usage, cost, metadata).
#[derive(Debug)]
pub struct Parsed<T, R> {
    /// The answer, as `T`.
    pub value: T,
    /// The response it came from.
    pub response: Response<R>,
}

/// A result whose text can be parsed as structured output.
pub trait StructuredAnswer: DeserializeOwned + Send + 'static {
    /// The text parsed as `T`.
    ///
    /// # Errors
    /// A refusal, no content, or text that is not a `T`.
    fn parse_as<T: DeserializeOwned>(&self) -> Result<T, ParseError>;
}

#[cfg(feature = "chat")]
impl StructuredAnswer for ChatResult {
    fn parse_as<T: DeserializeOwned>(&self) -> Result<T, ParseError> {
        self.parse()
    }
}

#[cfg(feature = "responses")]
impl StructuredAnswer for OpenResponsesResult {
    fn parse_as<T: DeserializeOwned>(&self) -> Result<T, ParseError> {
        self.parse()
    }
}

impl<R: StructuredAnswer, S> Call<R, S> {
    /// Sends the call and parses the answer's text as `T`.
    ///
    /// # Errors
    /// Those of [`send`](Call::send), and [`Error::Parse`] when the answer is a refusal, is
    /// empty, or is not a `T`.
    pub async fn parsed<T: DeserializeOwned>(self) -> Result<Parsed<T, R>, Error> {
        let response = self.send().await?;
        match response.data.parse_as::<T>() {
            Ok(value) => Ok(Parsed { value, response }),
            Err(e) => Err(Error::Parse(Box::new(e))),
        }
    }
}

/// A call whose answer is parsed as `T` when awaited: what `client.chat().create_parsed::<T>(..)`
/// returns (feature `schemars`).
#[must_use = "a call does nothing until it is awaited"]
pub struct Structured<T, R, S> {
    call: Call<R, S>,
    _target: PhantomData<fn() -> T>,
}

impl<T, R, S> Structured<T, R, S> {
    pub(crate) fn new(call: Call<R, S>) -> Self {
        Structured {
            call,
            _target: PhantomData,
        }
    }

    /// Sets per-call options on the underlying call:
    /// `.options(|call| call.total_timeout(Duration::from_secs(30)))`.
    pub fn options(self, f: impl FnOnce(Call<R, S>) -> Call<R, S>) -> Self {
        Structured::new(f(self.call))
    }

    /// The underlying call, to send it without parsing.
    pub fn into_call(self) -> Call<R, S> {
        self.call
    }
}

impl<T, R, S> IntoFuture for Structured<T, R, S>
where
    T: DeserializeOwned + Send + 'static,
    R: StructuredAnswer,
    S: Send + 'static,
{
    type Output = Result<Parsed<T, R>, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.call.parsed::<T>())
    }
}

#[cfg(feature = "schemars")]
mod from_type {
    #[cfg(feature = "chat")]
    use openrouter_types::generated::{
        ChatRequest, ChatRequestResponseFormat, ChatResult, ChatStreamChunk,
    };
    #[cfg(feature = "responses")]
    use openrouter_types::generated::{
        Formats, OpenResponsesResult, ResponsesRequest, StreamEvents, TextExtendedConfig,
    };
    use schemars::JsonSchema;
    use serde::de::DeserializeOwned;

    use super::Structured;

    #[cfg(feature = "chat")]
    impl crate::api::Chat<'_> {
        /// A chat completion whose answer is parsed as `T`: the request's `response_format`
        /// is set to `T`'s JSON Schema (strict), and awaiting gives the value beside the
        /// result (feature `schemars`). Add `ChatRequestPluginsItem::response_healing()` to
        /// the request's `plugins` to have OpenRouter repair JSON that does not parse.
        pub fn create_parsed<T: JsonSchema + DeserializeOwned>(
            &self,
            request: ChatRequest,
        ) -> Structured<T, ChatResult, ChatStreamChunk> {
            let request = request.response_format(ChatRequestResponseFormat::for_type::<T>());
            Structured::new(self.create(request))
        }
    }

    #[cfg(feature = "responses")]
    impl crate::api::Responses<'_> {
        /// A response whose output text is parsed as `T`: the request's `text.format` is set
        /// to `T`'s JSON Schema (strict), keeping its other `text` settings (feature
        /// `schemars`).
        pub fn create_parsed<T: JsonSchema + DeserializeOwned>(
            &self,
            mut request: ResponsesRequest,
        ) -> Structured<T, OpenResponsesResult, StreamEvents> {
            let mut text = request
                .text
                .take()
                .map_or_else(TextExtendedConfig::default, |t| *t);
            text.format = Some(Box::new(Formats::for_type::<T>()));
            request.text = Some(Box::new(text));
            Structured::new(self.create(request))
        }
    }
}
