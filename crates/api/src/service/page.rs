//! Pages of a listing, the same for every edge: a bounded page size parsed once, an opaque
//! cursor naming the position after which a page starts, and [`Page`], the items of one page
//! with the cursor of each. Each listing decides its position type `P` once: [`Paging<P>`]
//! decodes the request's cursor into a `P` and [`Paging::finish`] encodes the page's cursors
//! from the same `P`, so what a cursor resumes from cannot drift from what it was made of.
//! REST builds its `next_cursor` envelope and GraphQL its connection from the same [`Page`].

use std::{fmt::Display, str::FromStr};

use base64::Engine;

use crate::ApiError;

/// REST's page size when `limit` is absent.
pub const REST_DEFAULT: u64 = 1000;
/// REST's largest page.
pub const REST_MAX: u64 = 10_000;
/// GraphQL's largest page (`first`).
pub const GRAPHQL_MAX: i32 = 500;
/// GraphQL's page size when `first` is absent.
pub const GRAPHQL_DEFAULT: i32 = 100;

/// How many items a page holds, within the edge's bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageSize(u64);

impl PageSize {
    /// The number of items.
    pub fn get(self) -> u64 {
        self.0
    }

    /// How many rows to fetch: one more than a page, to learn whether more follow.
    pub fn fetch(self) -> u64 {
        self.0 + 1
    }
}

/// The page size as an edge asked for it, not yet checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Requested {
    /// REST's `limit`: default [`REST_DEFAULT`], 1..=[`REST_MAX`].
    Limit(Option<u64>),
    /// GraphQL's `first`: default [`GRAPHQL_DEFAULT`], 1..=[`GRAPHQL_MAX`].
    First(Option<i32>),
}

impl Requested {
    fn parse(self) -> Result<PageSize, ApiError> {
        match self {
            Requested::Limit(None) => Ok(PageSize(REST_DEFAULT)),
            Requested::Limit(Some(0)) => Err(ApiError::bad_request(
                "invalid_limit",
                "limit must be at least 1",
            )),
            Requested::Limit(Some(n)) if n > REST_MAX => Err(ApiError::bad_request(
                "invalid_limit",
                format!("limit may be at most {REST_MAX}"),
            )),
            Requested::Limit(Some(n)) => Ok(PageSize(n)),
            Requested::First(first) => match first.unwrap_or(GRAPHQL_DEFAULT) {
                n if (1..=GRAPHQL_MAX).contains(&n) => Ok(PageSize(n as u64)),
                _ => Err(ApiError::bad_request(
                    "invalid_limit",
                    format!("first must be between 1 and {GRAPHQL_MAX}"),
                )),
            },
        }
    }
}

/// What a caller asked of a listing: a page size and the cursor to resume after. Both are
/// checked by the service function, after it authorized the caller.
#[derive(Clone, Copy, Debug)]
pub struct PageRequest<'a> {
    size: Requested,
    after: Option<&'a str>,
}

impl<'a> PageRequest<'a> {
    /// A REST request: `limit` and `cursor`.
    pub fn rest(limit: Option<u64>, cursor: Option<&'a str>) -> Self {
        Self {
            size: Requested::Limit(limit),
            after: cursor,
        }
    }

    /// A GraphQL request: `first` and `after`.
    pub fn graphql(first: Option<i32>, after: Option<&'a str>) -> Self {
        Self {
            size: Requested::First(first),
            after,
        }
    }

    /// Checks the size, then decodes the cursor into the listing's position type.
    pub fn open<P: FromStr>(&self) -> Result<Paging<P>, ApiError> {
        let size = self.size.parse()?;
        let after = self.after.map(decode_position).transpose()?;
        Ok(Paging { size, after })
    }

    /// A page of a list already in memory, in its order: resumes after the item whose
    /// position (`key`) the cursor names.
    pub fn slice<T: Clone, P: Display>(
        &self,
        items: &[T],
        key: impl Fn(&T) -> P,
    ) -> Result<Page<T>, ApiError> {
        let paging: Paging<String> = self.open()?;
        let start = match &paging.after {
            None => 0,
            Some(p) => items
                .iter()
                .position(|t| key(t).to_string() == *p)
                .map(|i| i + 1)
                .ok_or_else(invalid_cursor)?,
        };
        let rest: Vec<T> = items
            .iter()
            .skip(start)
            .take(paging.size.fetch() as usize)
            .cloned()
            .collect();
        Ok(paging.finish(rest, |t| key(t).to_string()))
    }
}

/// A checked page request: its size and the position (of type `P`) it resumes after.
#[derive(Clone, Debug)]
pub struct Paging<P> {
    /// The page size.
    pub size: PageSize,
    /// Where the previous page ended.
    pub after: Option<P>,
}

impl<P: Display> Paging<P> {
    /// How many rows to fetch (one more than a page).
    pub fn fetch(&self) -> u64 {
        self.size.fetch()
    }

    /// The page of `rows` (fetched with [`Paging::fetch`]), each with the cursor of its
    /// position `key`.
    pub fn finish<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> P) -> Page<T> {
        let has_more = rows.len() as u64 > self.size.get();
        rows.truncate(self.size.get() as usize);
        Page {
            cursors: rows
                .iter()
                .map(|t| encode_cursor(&key(t).to_string()))
                .collect(),
            items: rows,
            has_more,
            resumed: self.after.is_some(),
        }
    }
}

/// One page of a listing.
#[derive(Clone, Debug)]
pub struct Page<T> {
    /// The items, in the listing's order.
    pub items: Vec<T>,
    /// The cursor to resume after each item (one per item).
    pub cursors: Vec<String>,
    /// Whether more items follow.
    pub has_more: bool,
    /// Whether this page resumed after a cursor.
    pub resumed: bool,
}

impl<T> Page<T> {
    /// The cursor of the next page; `None` on the last one.
    pub fn next_cursor(&self) -> Option<String> {
        self.cursors.last().filter(|_| self.has_more).cloned()
    }

    /// The same page with each item converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            cursors: self.cursors,
            has_more: self.has_more,
            resumed: self.resumed,
        }
    }
}

fn invalid_cursor() -> ApiError {
    ApiError::bad_request("invalid_cursor", "the cursor is not one this API issued")
}

/// Encodes a pagination position as an opaque cursor.
pub fn encode_cursor(position: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(position.as_bytes())
}

/// Decodes a cursor made by [`encode_cursor`] into its position text.
pub fn decode_cursor(cursor: &str) -> Result<String, ApiError> {
    if cursor.is_empty() {
        return Err(invalid_cursor());
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| invalid_cursor())?;
    // Every position this API encodes is single-line text; a forged one with NUL or another
    // control character must not reach a query.
    String::from_utf8(bytes)
        .ok()
        .filter(|s| chitieu_domain::TextKind::SingleLine.check(s).is_ok())
        .ok_or_else(invalid_cursor)
}

/// Decodes a cursor into a position of type `P`.
pub fn decode_position<P: FromStr>(cursor: &str) -> Result<P, ApiError> {
    decode_cursor(cursor)?.parse().map_err(|_| invalid_cursor())
}

/// The position of an org unit in `level, code` order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LevelCode {
    /// Depth, the root being 1.
    pub level: i32,
    /// Code.
    pub code: String,
}

impl Display for LevelCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.level, self.code)
    }
}

impl FromStr for LevelCode {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        let (level, code) = s.split_once(':').ok_or(())?;
        Ok(Self {
            level: level.parse().map_err(|_| ())?,
            code: code.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn codes(page: &Page<u32>) -> Vec<String> {
        page.cursors
            .iter()
            .map(|c| decode_cursor(c).unwrap())
            .collect()
    }

    #[test]
    fn sizes_are_bounded_per_edge() {
        let size = |r: PageRequest| r.open::<String>().map(|p| p.size.get());
        assert_eq!(size(PageRequest::rest(None, None)).ok(), Some(1000));
        assert_eq!(
            size(PageRequest::rest(Some(10_000), None)).ok(),
            Some(10_000)
        );
        assert!(size(PageRequest::rest(Some(0), None)).is_err());
        assert!(size(PageRequest::rest(Some(10_001), None)).is_err());
        assert_eq!(size(PageRequest::graphql(None, None)).ok(), Some(100));
        assert_eq!(size(PageRequest::graphql(Some(500), None)).ok(), Some(500));
        assert!(size(PageRequest::graphql(Some(0), None)).is_err());
        assert!(size(PageRequest::graphql(Some(501), None)).is_err());
        assert!(size(PageRequest::graphql(Some(-1), None)).is_err());
    }

    #[test]
    fn a_page_of_fetched_rows_knows_whether_more_follow() {
        let paging: Paging<u32> = PageRequest::rest(Some(2), None).open().unwrap();
        assert_eq!(paging.fetch(), 3);
        let page = paging.finish(vec![1, 2, 3], |n| *n);
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(codes(&page), ["1", "2"]);
        assert!(page.has_more && !page.resumed);
        assert_eq!(page.next_cursor(), Some(encode_cursor("2")));
        let last = paging.finish(vec![1, 2], |n| *n);
        assert!(!last.has_more);
        assert_eq!(last.next_cursor(), None);
    }

    #[test]
    fn cursors_decode_into_the_listings_position_or_are_refused() {
        let c = encode_cursor("3:VT-P1");
        let paging: Paging<LevelCode> = PageRequest::rest(None, Some(&c)).open().unwrap();
        let pos = paging.after.unwrap();
        assert_eq!((pos.level, pos.code.as_str()), (3, "VT-P1"));
        assert_eq!(pos.to_string(), "3:VT-P1");
        for bad in ["", "%%", &encode_cursor("VT"), &encode_cursor("x:VT")] {
            let r = PageRequest::rest(None, Some(bad)).open::<LevelCode>();
            assert!(r.is_err(), "{bad}");
        }
        let forged = encode_cursor("a\u{0}b");
        assert!(
            PageRequest::rest(None, Some(&forged))
                .open::<String>()
                .is_err()
        );
        let not_an_id = encode_cursor("seven");
        assert!(
            PageRequest::rest(None, Some(&not_an_id))
                .open::<i64>()
                .is_err()
        );
    }

    #[test]
    fn slices_resume_after_the_named_item() {
        let items = [10u32, 20, 30];
        let first = PageRequest::graphql(Some(2), None)
            .slice(&items, |n| *n)
            .unwrap();
        assert_eq!((first.items.clone(), first.has_more), (vec![10, 20], true));
        let c = first.next_cursor().unwrap();
        let second = PageRequest::graphql(Some(2), Some(&c))
            .slice(&items, |n| *n)
            .unwrap();
        assert_eq!(second.items, vec![30]);
        assert!(!second.has_more && second.resumed);
        let unknown = encode_cursor("99");
        assert!(
            PageRequest::graphql(None, Some(&unknown))
                .slice(&items, |n| *n)
                .is_err()
        );
    }
}
