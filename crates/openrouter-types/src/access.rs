//! Hand-written accessors on generated types, for what the API sends where the spec does not
//! say it (declared by `xtask/src/overrides.rs`). All on chat types: the module is compiled
//! with the feature `chat`.

use crate::generated::{ChatChoiceError, ChatResult, ChatStreamChunk, ChatUsage};

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

impl ChatUsage {
    /// What the call cost you in all, in USD: for a call on your own provider key (BYOK),
    /// OpenRouter's `cost` plus the provider's `upstream_inference_cost`, billed to that key;
    /// otherwise `cost` alone, which already includes the provider's price (adding the upstream
    /// cost there would count it twice). `None` when the answer carries no cost.
    ///
    /// ```
    /// use openrouter_types::chat::Usage;
    /// let byok: Usage = openrouter_types::from_str(r#"{"prompt_tokens": 10, "completion_tokens": 5,
    ///     "total_tokens": 15, "cost": 0.0001, "is_byok": true,
    ///     "cost_details": {"upstream_inference_cost": 0.002}}"#).unwrap();
    /// assert_eq!(byok.total_cost(), Some(0.0021));
    /// let credits: Usage = openrouter_types::from_str(r#"{"prompt_tokens": 10, "completion_tokens": 5,
    ///     "total_tokens": 15, "cost": 0.002, "is_byok": false,
    ///     "cost_details": {"upstream_inference_cost": 0.002}}"#).unwrap();
    /// assert_eq!(credits.total_cost(), Some(0.002));
    /// ```
    pub fn total_cost(&self) -> Option<f64> {
        let cost = self.cost?;
        if self.is_byok == Some(true) {
            Some(cost + self.upstream_cost().unwrap_or(0.0))
        } else {
            Some(cost)
        }
    }

    /// What OpenRouter took from your credits, in USD (`cost`): the whole price, or for a
    /// BYOK call OpenRouter's fee only.
    pub fn credits_cost(&self) -> Option<f64> {
        self.cost
    }

    /// What the provider charged, in USD (`cost_details.upstream_inference_cost`): billed to
    /// your own key for a BYOK call, included in [`credits_cost`](Self::credits_cost)
    /// otherwise.
    pub fn upstream_cost(&self) -> Option<f64> {
        self.cost_details
            .as_ref()
            .and_then(|d| d.upstream_inference_cost)
    }

    /// Prompt tokens read from the provider's prompt cache.
    pub fn cache_read_tokens(&self) -> i64 {
        self.prompt_tokens_details
            .as_ref()
            .and_then(|d| d.cached_tokens)
            .unwrap_or(0)
    }

    /// Prompt tokens written to the provider's prompt cache (models with explicit caching).
    pub fn cache_write_tokens(&self) -> i64 {
        self.prompt_tokens_details
            .as_ref()
            .and_then(|d| d.cache_write_tokens)
            .unwrap_or(0)
    }

    /// Reasoning tokens among the completion tokens.
    pub fn reasoning_tokens(&self) -> i64 {
        self.completion_tokens_details
            .as_ref()
            .and_then(|d| d.reasoning_tokens)
            .unwrap_or(0)
    }
}
