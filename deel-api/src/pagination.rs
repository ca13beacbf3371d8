//! Streams over paginated list operations: no page loops in user code.
//!
//! Every list operation whose paging the generator could classify (cursor, page cursor,
//! offset, next token, SCIM index) implements [`Paginated`]; call [`Paginate::paginate`] on its
//! request builder and take [`Paginator::items`] or [`Paginator::pages`].
//!
//! ```no_run
//! use deel_api::pagination::Paginate;
//! use futures_util::TryStreamExt;
//! # async fn run(client: deel_api::Client) -> Result<(), deel_api::Error> {
//! let contracts: Vec<_> = client.get_contracts().limit(100).paginate().items().try_collect().await?;
//! # Ok(()) }
//! ```
//!
//! Streams are lazy: a page is fetched only when its first item is wanted, so `.take(n)` never
//! fetches a page beyond the n-th item. They stop on an empty page, when the page says there is
//! no more (`has_more: false`, no next cursor), when the total the page reports has been seen,
//! or, for offset paging without a total, on a page shorter than the requested size. An error
//! is yielded as the stream's last item; retries happen inside the client first.

use futures_util::stream::{self, BoxStream};
use futures_util::StreamExt;

pub use deel_api_gen::builder::PAGINATED;
pub use deel_api_gen::runtime::pagination::{next_position, PageInfo, PageStyle, Paginated};

use crate::Error;

/// Turns a paginated request builder into a [`Paginator`].
pub trait Paginate: Paginated + Sized {
    /// The request as a paginator; the builder's own cursor/offset settings apply to the first
    /// page only.
    fn paginate(self) -> Paginator<Self> {
        Paginator { request: self }
    }
}

impl<P: Paginated> Paginate for P {}

/// A paginated request, ready to stream.
#[derive(Debug, Clone)]
pub struct Paginator<P> {
    request: P,
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
    pub fn pages<'s>(self) -> BoxStream<'s, Result<Vec<P::Item>, Error>>
    where
        P: 's,
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
    pub fn items<'s>(self) -> BoxStream<'s, Result<P::Item, Error>>
    where
        P: 's,
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
