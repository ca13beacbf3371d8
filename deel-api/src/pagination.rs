//! Streams over paginated list operations: no page loops in user code.
//!
//! Every list operation whose paging the generator could classify (cursor, page cursor,
//! offset, next token, SCIM index) implements [`Paginated`], and its request has an inherent
//! `.paginate()` (no trait to import); take [`Paginator::items`] or [`Paginator::pages`].
//!
//! ```no_run
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

pub use deel_api_gen::builder::PAGINATED;
pub use deel_api_gen::runtime::pagination::{next_position, PageInfo, PageStyle, Paginated, Paginator};

/// Before 0.2, `.paginate()` came from this trait; list requests now have it as an inherent
/// method, and this trait only keeps old imports compiling.
#[deprecated(since = "0.2.0", note = "list requests have an inherent `.paginate()`; drop the import")]
pub trait Paginate: Paginated + Sized {
    /// The request as a [`Paginator`].
    fn paginate(self) -> Paginator<Self> {
        Paginator::new(self)
    }
}

#[allow(deprecated)]
impl<P: Paginated> Paginate for P {}
