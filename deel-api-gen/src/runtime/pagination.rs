//! What a paginated operation tells the pager: how to ask for a page after a cursor, and where a
//! page keeps its items and the way to the next one.
//!
//! `cargo xtask codegen` classifies every list operation by how it pages and implements
//! [`Paginated`] for its request builder; [`Paginator`] turns that into streams.

use futures_util::stream::{self, BoxStream};
use futures_util::StreamExt;

use super::{Error, Pending};

/// The ways Deel's list operations page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PageStyle {
    /// A `cursor` parameter; the response's `next_cursor` (and `has_more`) lead on.
    NextCursor,
    /// A `cursor` or `after_cursor` parameter; the response's `page.cursor` leads on.
    PageCursor,
    /// `offset` (and `limit`) parameters; the response may give `page.total_rows`.
    Offset,
    /// A `next` token parameter (with `page_size`); the response's `next` leads on.
    NextToken,
    /// SCIM: `startIndex` (1-based) and `count`; the response gives `totalResults`.
    ScimIndex,
}

impl PageStyle {
    /// Whether the position of the next page is a count of items already seen (offset, SCIM
    /// index) rather than a token from the previous page.
    pub fn counts_items(self) -> bool {
        matches!(self, PageStyle::Offset | PageStyle::ScimIndex)
    }
}

/// Where a page says the listing goes on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageInfo {
    /// The token for the next page (cursor styles), if the page gave one.
    pub next: Option<String>,
    /// The page's own "more after this" flag, when it has one.
    pub has_more: Option<bool>,
    /// The total number of items, when the page gives it.
    pub total: Option<u64>,
}

/// A request builder of an operation that returns one page of a list.
pub trait Paginated: Clone + Send + Sync {
    /// The decoded page.
    type Page: serde::de::DeserializeOwned + for<'de> super::decode::Lenient<'de> + Send;
    /// One item of the list.
    type Item: Send;

    /// How this operation pages.
    const STYLE: PageStyle;

    /// Fetches the page at `position`: a cursor or token for cursor styles, the 0-based index of
    /// the first item wanted for counting styles (see [`next_position`]); `None` for the first
    /// page (the builder's own setting).
    fn fetch_page(&self, position: Option<&str>) -> Pending<Self::Page>;

    /// For counting styles, the 0-based index of the first item the builder itself asks for
    /// (its `offset`, or SCIM's `startIndex` minus one); 0 when unset.
    fn start(&self) -> u64;

    /// The page size the caller asked for, if any.
    fn page_size(&self) -> Option<u64>;

    /// Where the page says the listing goes on.
    fn page_info(page: &Self::Page) -> PageInfo;

    /// The page's items.
    fn into_items(page: Self::Page) -> Vec<Self::Item>;
}

/// Where the page after one holding `count` items goes on, for a listing whose first page starts
/// at `start` and has yielded `seen` items so far (this page included): counting styles continue
/// from the caller's own starting position, never from the number of items alone.
pub fn next_position(style: PageStyle, start: u64, seen: u64, next: Option<String>) -> Option<String> {
    if style.counts_items() {
        Some(start.saturating_add(seen).to_string())
    } else {
        next
    }
}

/// Reads a number Deel may send as an integer or a float.
#[doc(hidden)]
pub fn count(value: f64) -> Option<u64> {
    (value.is_finite() && value >= 0.0).then_some(value as u64)
}

/// A paginated request, ready to stream: what a list request's `.paginate()` returns.
#[derive(Debug, Clone)]
pub struct Paginator<P> {
    request: P,
}

impl<P: Paginated> Paginator<P> {
    /// The request as a paginator; the request's own cursor/offset settings apply to the first
    /// page only.
    pub fn new(request: P) -> Self {
        Self { request }
    }
}

struct State<P> {
    request: P,
    position: Option<String>,
    seen: u64,
    done: bool,
}

impl<P: Paginated> Paginator<P> {
    /// One stream item per page: the page's items, or the error that ended the listing.
    ///
    /// The stream is boxed (one allocation per listing) so that it is `Unpin`: `.next().await`
    /// works without pinning.
    pub fn pages(self) -> BoxStream<'static, Result<Vec<P::Item>, Error>>
    where
        P: 'static,
    {
        let start = State { request: self.request, position: None, seen: 0, done: false };
        stream::unfold(start, |mut state| async move {
            if state.done {
                return None;
            }
            let page = match state.request.fetch_page(state.position.as_deref()).await {
                Ok(page) => page.into_inner(),
                Err(e) => {
                    state.done = true;
                    return Some((Err(e), state));
                }
            };
            let info = P::page_info(&page);
            let items = P::into_items(page);
            let n = items.len() as u64;
            state.seen += n;
            state.done =
                n == 0 || info.has_more == Some(false) || info.total.is_some_and(|total| state.seen >= total);
            if !state.done && P::STYLE.counts_items() {
                // A total counts from the start of the listing, not from the caller's position.
                let start = state.request.start();
                state.done = info.total.is_some_and(|total| start.saturating_add(state.seen) >= total)
                    || (info.total.is_none() && state.request.page_size().is_some_and(|size| n < size));
            }
            if !state.done {
                match next_position(P::STYLE, state.request.start(), state.seen, info.next) {
                    // A page pointing at itself would loop forever.
                    Some(next) if state.position.as_deref() != Some(next.as_str()) => {
                        state.position = Some(next)
                    }
                    _ => state.done = true,
                }
            }
            Some((Ok(items), state))
        })
        .boxed()
    }

    /// One stream item per list item, across pages.
    pub fn items(self) -> BoxStream<'static, Result<P::Item, Error>>
    where
        P: 'static,
    {
        self.pages()
            .flat_map(|page| {
                let items: Vec<Result<P::Item, Error>> = match page {
                    Ok(items) => items.into_iter().map(Ok).collect(),
                    Err(e) => vec![Err(e)],
                };
                stream::iter(items)
            })
            .boxed()
    }
}
