//! What a paginated operation tells the pager: how to ask for a page after a cursor, and where a
//! page keeps its items and the way to the next one.
//!
//! `cargo xtask codegen` classifies every list operation by how it pages and implements
//! [`Paginated`] for its request builder; the `deel-api` crate turns that into streams.

use super::Pending;

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
    fn fetch_page<'s>(&'s self, position: Option<&'s str>) -> Pending<'s, Self::Page>;

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
