//! Credits: `client.credits()`.

use openrouter_types::generated::operations;
use openrouter_types::generated::GetCreditsResponse;

use crate::call::Call;
use crate::Client;

/// The Credits group: the account's purchased and used credits.
#[derive(Clone, Copy, Debug)]
pub struct Credits<'c> {
    client: &'c Client,
}

impl Client {
    /// Credit management endpoints.
    pub fn credits(&self) -> Credits<'_> {
        Credits { client: self }
    }
}

impl Credits<'_> {
    /// `GET /credits`: total credits purchased and used by the account.
    ///
    /// Needs a management key. The spec declares 401, 403 and 500 errors; they arrive as
    /// [`Error::Api`](crate::Error::Api) with the parsed body.
    pub fn get_credits(&self) -> Call<GetCreditsResponse> {
        Call::new(self.client, &operations::GET_CREDITS, &[])
    }
}
