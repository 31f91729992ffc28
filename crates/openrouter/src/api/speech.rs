//! Speech: `client.speech()`.
//!
//! Hand-written until the generated methods replace it.

use openrouter_types::generated::operations;
use openrouter_types::generated::SpeechRequest;

use crate::call::{to_bytes, Call};
use crate::{Client, Download};

/// The Speech group: text to speech.
#[derive(Clone, Copy, Debug)]
pub struct Speech<'c> {
    client: &'c Client,
}

impl Client {
    /// Text-to-speech endpoints.
    pub fn speech(&self) -> Speech<'_> {
        Speech { client: self }
    }
}

impl Speech<'_> {
    /// `POST /audio/speech`: synthesizes audio, returned as a [`Download`].
    pub fn create_speech(&self, request: SpeechRequest) -> Call<Download> {
        Call::new(self.client, &operations::CREATE_AUDIO_SPEECH, &[])
            .json_body(move |_| to_bytes(&request))
    }
}
