//! Files: `client.files()`.
//!
//! Only the upload and download operations for now; the generated methods replace these.

use openrouter_types::generated::operations;
use openrouter_types::generated::{
    DownloadFileContentQuery, FileResponse, UploadFileForm, UploadFileQuery,
};

use crate::call::Call;
use crate::multipart::{FilePart, Multipart};
use crate::{Client, Download};

/// The Files group: files stored for use in requests.
#[derive(Clone, Copy, Debug)]
pub struct Files<'c> {
    client: &'c Client,
}

impl Client {
    /// File endpoints.
    pub fn files(&self) -> Files<'_> {
        Files { client: self }
    }
}

impl Files<'_> {
    /// `POST /files`: uploads a file (`multipart/form-data`).
    ///
    /// The form's `file` bytes are sent unless [`Call::file`] sets the file from a path or a
    /// reader instead.
    pub fn upload(&self, form: UploadFileForm, query: UploadFileQuery) -> Call<FileResponse> {
        let mut form = form;
        let bytes = std::mem::take(&mut form.file.0);
        let call =
            Call::new(self.client, &operations::UPLOAD_FILE, &[]).query(query.to_query_pairs());
        match Multipart::from_form(&form, "file") {
            Ok(m) if bytes.is_empty() => call.multipart_body(m),
            Ok(m) => call.multipart_body(m.file(FilePart::bytes(bytes))),
            Err(e) => call.with_error(e),
        }
    }

    /// `GET /files/{file_id}/content`: the file's contents, as a [`Download`].
    pub fn download(&self, file_id: &str, query: DownloadFileContentQuery) -> Call<Download> {
        Call::new(self.client, &operations::DOWNLOAD_FILE_CONTENT, &[file_id])
            .query(query.to_query_pairs())
    }
}
