//! Pagination: [`Call::pages`] streams the pages of a paginated operation and [`Call::items`]
//! every item across them.
//!
//! The operation table's [`Pagination`] says how each operation pages: as the spec marks it
//! (`x-speakeasy-pagination`), or, for a listing the spec leaves unmarked, as its parameters
//! show (a `GET` with `offset` and a `data` array pages by offset; one with `after`, `has_more`
//! and `last_id` by cursor).
//!
//! - **offset/limit**: the next page asks for `offset + items on this page`; the listing ends at
//!   an empty page, when `has_more` is `false`, or when `total_count` (where the response has
//!   them) is reached.
//! - **cursor**: the next page sends the cursor read from this one (`last_id`, `cursor`); the
//!   listing ends when there is none, when `has_more` is `false`, or at an empty page.
//!
//! Every page request is the same call with another offset or cursor: it keeps the call's
//! timeouts, retry policy, headers and base URL. A failed page ends the stream after its error.

use std::collections::VecDeque;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use openrouter_types::operation::Pagination;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::call::Call;
use crate::response::Response;
use crate::Error;

/// A page of a paginated listing: the generated response types of the paginated operations
/// implement it.
pub trait Page: DeserializeOwned + Send + 'static {
    /// One item of the listing.
    type Item: Send + 'static;

    /// The page's items, in order.
    fn into_items(self) -> Vec<Self::Item>;

    /// How many items the page holds.
    fn item_count(&self) -> usize;

    /// The total number of items across all pages, when the response says.
    fn total_count(&self) -> Option<u64> {
        None
    }

    /// Whether more pages follow, when the response says.
    fn has_more(&self) -> Option<bool> {
        None
    }

    /// The cursor of the next page (cursor-paginated operations).
    fn next_cursor(&self) -> Option<String> {
        None
    }
}

/// The value at `field` of a page serialized as JSON (for pages whose shape is a union).
pub(crate) fn json_field<P: Serialize>(page: &P, field: &str) -> Option<serde_json::Value> {
    match serde_json::to_value(page) {
        Ok(serde_json::Value::Object(mut map)) => map.remove(field),
        _ => None,
    }
}

/// The array at `field` of a page serialized as JSON.
pub(crate) fn json_items<P: Serialize>(page: &P, field: &str) -> Vec<serde_json::Value> {
    match json_field(page, field) {
        Some(serde_json::Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

/// A cursor value that is not a plain string, as its JSON text.
#[allow(dead_code)]
pub(crate) fn json_string<V: Serialize>(value: &V) -> Option<String> {
    match serde_json::to_value(value).ok()? {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = T> + Send>>;

/// The pages of a paginated call, each with its response metadata. Made by [`Call::pages`].
#[must_use = "streams do nothing unless polled"]
pub struct Pages<T> {
    inner: BoxStream<Result<Response<T>, Error>>,
}

impl<T> fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pages").finish_non_exhaustive()
    }
}

impl<T> Stream for Pages<T> {
    type Item = Result<Response<T>, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// Every item of a paginated call, across pages. Made by [`Call::items`].
#[must_use = "streams do nothing unless polled"]
pub struct Items<T: Page> {
    inner: BoxStream<Result<T::Item, Error>>,
}

impl<T: Page> fmt::Debug for Items<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items").finish_non_exhaustive()
    }
}

impl<T: Page> Stream for Items<T> {
    type Item = Result<T::Item, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// What to ask for after a page, or nothing when the listing is complete.
fn next_page<T: Page>(
    pagination: Option<Pagination>,
    page: &T,
    query: &[(&'static str, String)],
) -> Option<(&'static str, String)> {
    let count = page.item_count();
    if count == 0 || page.has_more() == Some(false) {
        return None;
    }
    match pagination? {
        Pagination::OffsetLimit { .. } => {
            let offset = query
                .iter()
                .find(|(k, _)| *k == "offset")
                .and_then(|(_, v)| v.parse::<u64>().ok())
                .unwrap_or(0);
            let next = offset + count as u64;
            if page.total_count().is_some_and(|total| next >= total) {
                return None;
            }
            Some(("offset", next.to_string()))
        }
        Pagination::Cursor { param, .. } => {
            let cursor = page.next_cursor().filter(|c| !c.is_empty())?;
            // The same cursor again would loop forever.
            let current = query.iter().find(|(k, _)| *k == param).map(|(_, v)| v);
            if current == Some(&cursor) {
                return None;
            }
            Some((param, cursor))
        }
        _ => None,
    }
}

impl<T: Page, S: Send + 'static> Call<T, S> {
    /// Streams the pages of this listing, from the one this call asks for, each with its
    /// metadata. Every page request keeps this call's options (timeouts, retries, headers).
    ///
    /// An operation that does not page yields one page.
    pub fn pages(self) -> Pages<T> {
        let pagination = self.operation().pagination;
        let stream = futures_util::stream::unfold(Some(self), move |call| async move {
            let call = call?;
            let template = call.clone_without_body();
            let result = call.send().await;
            let next = match &result {
                Ok(page) => template.and_then(|mut next| {
                    let (name, value) = next_page(pagination, page.data(), next.query_pairs())?;
                    next.set_query(name, value);
                    Some(next)
                }),
                Err(_) => None,
            };
            Some((result, next))
        });
        Pages {
            inner: Box::pin(stream),
        }
    }

    /// Streams every item of this listing, across pages (see [`pages`](Self::pages)).
    pub fn items(self) -> Items<T> {
        let pages = self.pages();
        let stream = futures_util::stream::unfold(
            (pages, VecDeque::<T::Item>::new(), false),
            |(mut pages, mut buffer, mut done)| async move {
                loop {
                    if let Some(item) = buffer.pop_front() {
                        return Some((Ok(item), (pages, buffer, done)));
                    }
                    if done {
                        return None;
                    }
                    match std::future::poll_fn(|cx| Pin::new(&mut pages).poll_next(cx)).await {
                        Some(Ok(page)) => buffer.extend(page.into_inner().into_items()),
                        Some(Err(e)) => {
                            done = true;
                            return Some((Err(e), (pages, buffer, done)));
                        }
                        None => done = true,
                    }
                }
            },
        );
        Items {
            inner: Box::pin(stream),
        }
    }
}
