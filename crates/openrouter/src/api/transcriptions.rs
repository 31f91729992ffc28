//! Transcriptions: `client.transcriptions()`.
//!
//! Hand-written until the generated methods replace it.

use openrouter_types::generated::operations;
use openrouter_types::generated::{CreateAudioTranscriptionsForm, SttResponse};

use crate::call::Call;
use crate::multipart::{FilePart, Multipart};
use crate::Client;

/// The Transcriptions group: speech to text.
#[derive(Clone, Copy, Debug)]
pub struct Transcriptions<'c> {
    client: &'c Client,
}

impl Client {
    /// Speech-to-text endpoints.
    pub fn transcriptions(&self) -> Transcriptions<'_> {
        Transcriptions { client: self }
    }
}

impl Transcriptions<'_> {
    /// `POST /audio/transcriptions`: transcribes audio (`multipart/form-data`).
    ///
    /// The form's `file` bytes are sent unless [`Call::file`] sets the file from a path or a
    /// reader instead.
    pub fn create_transcription(&self, form: CreateAudioTranscriptionsForm) -> Call<SttResponse> {
        let mut form = form;
        let bytes = form.file.take().map(|b| b.0).unwrap_or_default();
        let call = Call::new(self.client, &operations::CREATE_AUDIO_TRANSCRIPTIONS, &[]);
        match Multipart::from_form(&form, "file") {
            Ok(m) if bytes.is_empty() => call.multipart_body(m),
            Ok(m) => call.multipart_body(m.file(FilePart::bytes(bytes))),
            Err(e) => call.with_error(e),
        }
    }
}
