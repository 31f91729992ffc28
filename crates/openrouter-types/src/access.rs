//! Hand-written accessors on generated types, for what the API sends where the spec does not
//! say it (declared by `xtask/src/overrides.rs`).

use crate::generated::{ChatChoiceError, ChatResult, ChatStreamChunk};

impl ChatResult {
    /// The choices that failed: a provider that fails mid-generation leaves the content it
    /// produced and an `error` on the choice (with `finish_reason` `null` or `error`), in a
    /// response whose status is 200. Gives each failed choice's `index` and error.
    ///
    /// ```
    /// use openrouter_types::chat::Response;
    /// let result: Response = openrouter_types::from_str(r#"{
    ///     "id": "gen-1", "object": "chat.completion", "created": 1, "model": "m",
    ///     "choices": [{"index": 0, "finish_reason": null,
    ///         "message": {"role": "assistant", "content": "Partial ans"},
    ///         "error": {"code": 502, "message": "Provider disconnected"}}]
    /// }"#).unwrap();
    /// let (index, error) = result.failed_choices().next().unwrap();
    /// assert_eq!((index, error.code.as_status()), (0, Some(502)));
    /// assert!(result.has_failed_choice());
    /// ```
    pub fn failed_choices(&self) -> impl Iterator<Item = (i64, &ChatChoiceError)> + '_ {
        self.choices
            .iter()
            .filter_map(|c| c.error.as_deref().map(|e| (c.index, e)))
    }

    /// Whether any choice carries an error (see [`failed_choices`](Self::failed_choices)).
    pub fn has_failed_choice(&self) -> bool {
        self.choices.iter().any(|c| c.error.is_some())
    }
}

impl ChatStreamChunk {
    /// The choices of this chunk that carry an error, with their `index`. (A mid-stream error
    /// of the whole generation is the chunk's own [`error`](Self::error).)
    pub fn failed_choices(&self) -> impl Iterator<Item = (i64, &ChatChoiceError)> + '_ {
        self.choices
            .iter()
            .filter_map(|c| c.error.as_deref().map(|e| (c.index, e)))
    }
}
