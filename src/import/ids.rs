//! Ids for new requests in the style of the existing ones, as `zyklus request new`
//! picks them: the most common `PREFIX` + zero-padded number pattern (`CR-0042`),
//! one above its highest number, skipping any id taken — also by an id that differs
//! only in case, which the workspace rejects.
//!
//! Unlike a plain `max + 1`, this never overflows: numbers too long for `u64` do not
//! count, and when the pattern runs out the lowest free number is used; an id that
//! would be longer than ids may be falls back to `CR-NNNN`.

use std::collections::{BTreeMap, HashSet};

use crate::model::Id;

/// Hands out free ids, one after another.
#[derive(Debug, Clone)]
pub struct IdAllocator {
    taken: HashSet<String>,
    prefix: String,
    width: usize,
    /// The next number of the pattern; `None` once it ran past `u64::MAX`.
    next: Option<u64>,
}

/// Longer numbers do not fit in a `u64` (whose maximum has 20 digits).
const MAX_DIGITS: usize = 20;

impl IdAllocator {
    /// An allocator that avoids `existing`.
    pub fn new<'a>(existing: impl IntoIterator<Item = &'a str>) -> Self {
        let mut taken = HashSet::new();
        let mut by_pattern: BTreeMap<(String, usize), (usize, u64)> = BTreeMap::new();
        for id in existing {
            taken.insert(id.to_ascii_lowercase());
            let digits = id.len() - id.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            if digits == 0 || digits > MAX_DIGITS {
                continue;
            }
            let (prefix, num) = id.split_at(id.len() - digits);
            let Ok(n) = num.parse::<u64>() else { continue };
            let e = by_pattern.entry((prefix.to_owned(), digits)).or_default();
            e.0 += 1;
            e.1 = e.1.max(n);
        }
        // The most common pattern; among equals the last, as `request new` does.
        let ((prefix, width), max) = by_pattern
            .into_iter()
            .max_by_key(|(_, (count, _))| *count)
            .map_or((("CR-".to_owned(), 4), 0), |(p, (_, max))| (p, max));
        Self {
            taken,
            prefix,
            width,
            next: max.checked_add(1),
        }
    }

    /// The next free id of the workspace's own pattern, or `None` when the pattern
    /// has run out (its numbers past `u64::MAX`, or its ids too long): for
    /// `request new`, which refuses then instead of starting again from 1.
    pub fn next_in_pattern(&mut self) -> Option<Id> {
        let (prefix, width) = (self.prefix.clone(), self.width);
        let from = self.next?;
        self.free_in(&prefix, width, from)
    }

    /// The next free id; it counts as taken from now on.
    pub fn next_id(&mut self) -> Id {
        let (prefix, width) = (self.prefix.clone(), self.width);
        self.next
            .and_then(|n| self.free_in(&prefix, width, n))
            .or_else(|| self.free_in(&prefix, width, 1))
            .or_else(|| self.free_in("CR-", 4, 1))
            // One of CR-0001 … CR-(taken + 1) is free, and each is a valid id.
            .expect("a free CR- id exists")
    }

    /// The first free valid id `prefix` + number ≥ `from` (padded to `width`), or
    /// `None` when the numbers run out or the ids grow too long.
    fn free_in(&mut self, prefix: &str, width: usize, from: u64) -> Option<Id> {
        let mut n = from;
        loop {
            let candidate = format!("{prefix}{n:0width$}");
            let id = Id::parse(&candidate).ok()?;
            if self.taken.insert(candidate.to_ascii_lowercase()) {
                if prefix == self.prefix && width == self.width {
                    self.next = n.checked_add(1);
                }
                return Some(id);
            }
            n = n.checked_add(1)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next(existing: &[&str], n: usize) -> Vec<String> {
        let mut a = IdAllocator::new(existing.iter().copied());
        (0..n).map(|_| a.next_id().to_string()).collect()
    }

    #[test]
    fn follows_the_most_common_pattern() {
        assert_eq!(next(&[], 2), ["CR-0001", "CR-0002"]);
        assert_eq!(
            next(&["CR-0001", "CR-0040", "ZY-001", "notes"], 2),
            ["CR-0041", "CR-0042"]
        );
        assert_eq!(next(&["ZY-001", "ZY-002", "CR-0009"], 1), ["ZY-003"]);
        assert_eq!(next(&["CR-9999"], 2), ["CR-10000", "CR-10001"]);
    }

    #[test]
    fn never_duplicates_even_ignoring_case() {
        assert_eq!(
            next(&["CR-0001", "cr-0002", "CR-0003", "CR-0004"], 1),
            ["CR-0005"]
        );
        // The pattern of CR-0001/CR-0004 is most common; cr-0005 blocks CR-0005.
        assert_eq!(next(&["CR-0001", "CR-0004", "cr-0005"], 1), ["CR-0006"]);
    }

    #[test]
    fn never_overflows() {
        let max = format!("CR-{}", u64::MAX);
        let ids = next(&[&max], 2);
        assert_eq!(ids, ["CR-00000000000000000001", "CR-00000000000000000002"]);
        // `request new` refuses instead of starting the pattern again.
        let mut a = IdAllocator::new([max.as_str()]);
        assert_eq!(a.next_in_pattern(), None);
        let mut a = IdAllocator::new(["CR-18446744073709551614"]);
        assert_eq!(
            a.next_in_pattern().map(|i| i.to_string()),
            Some(max.clone())
        );
        assert_eq!(a.next_in_pattern(), None);
        let huge = format!("CR-{}", "9".repeat(40));
        assert_eq!(next(&[&huge], 1), ["CR-0001"]);
        // Ids may be 64 characters; a pattern that would outgrow that falls back.
        let long = format!("{}{}", "X".repeat(44), u64::MAX);
        let ids = next(&[&long], 1);
        assert_eq!(ids[0].len(), 64);
        assert!(ids[0].ends_with("00000000000000000001"), "{}", ids[0]);
    }
}
