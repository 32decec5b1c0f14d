//! Identifiers: request ids (which become file names, so they are validated strictly)
//! and CalVer release ids `YYYY.N` / `YYYY.N.P`.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest id we accept, in bytes.
pub const MAX_ID_LEN: usize = 64;

/// A change request (or partner) id: `[A-Za-z0-9][A-Za-z0-9._-]{0,63}`.
///
/// Ids become file names, so anything that could escape the workspace (`..`, `/`)
/// is rejected here, once, at the boundary.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(String);

/// Why a string is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a valid id: use 1 to 64 characters from A-Z, a-z, 0-9, `.`, `_` and `-`, starting with a letter or digit")]
pub struct InvalidId(pub String);

impl Id {
    /// Validates `s` as an id.
    ///
    /// # Errors
    /// When `s` is empty, too long, starts with a non-alphanumeric character or
    /// contains anything outside `[A-Za-z0-9._-]`.
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        let bytes = s.as_bytes();
        let ok = !bytes.is_empty()
            && bytes.len() <= MAX_ID_LEN
            && bytes[0].is_ascii_alphanumeric()
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidId(s.to_owned()))
        }
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Id {
    type Err = InvalidId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl std::borrow::Borrow<str> for Id {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// A release id: CalVer `YYYY.N` (slot N of the year), or `YYYY.N.P` for hotfix P.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReleaseId {
    pub year: i32,
    pub slot: u32,
    /// Hotfix number; `None` for the release itself.
    pub patch: Option<u32>,
}

/// Why a string is not a release id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a release id: write YYYY.N (e.g. 2027.3) or YYYY.N.P for a hotfix (e.g. 2027.3.1)")]
pub struct InvalidReleaseId(pub String);

impl ReleaseId {
    #[must_use]
    pub fn new(year: i32, slot: u32) -> Self {
        Self {
            year,
            slot,
            patch: None,
        }
    }

    /// The release this hotfix sits on (itself for a regular release).
    #[must_use]
    pub fn base(self) -> Self {
        Self {
            patch: None,
            ..self
        }
    }

    #[must_use]
    pub fn is_hotfix(self) -> bool {
        self.patch.is_some()
    }

    /// The SemVer reading `YYYY.N.P` (P = 0 for the release itself), for tools that
    /// insist on SemVer.
    #[must_use]
    pub fn semver(self) -> String {
        format!("{}.{}.{}", self.year, self.slot, self.patch.unwrap_or(0))
    }
}

impl fmt::Display for ReleaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            None => write!(f, "{}.{}", self.year, self.slot),
            Some(p) => write!(f, "{}.{}.{}", self.year, self.slot, p),
        }
    }
}

impl FromStr for ReleaseId {
    type Err = InvalidReleaseId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || InvalidReleaseId(s.to_owned());
        let parts: Vec<&str> = s.split('.').collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(bad());
        }
        let num = |p: &str| -> Result<u32, InvalidReleaseId> {
            if p.is_empty() || p.len() > 9 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            p.parse().map_err(|_| bad())
        };
        let year = num(parts[0])?;
        if !(1970..=9999).contains(&year) || parts[0].len() != 4 {
            return Err(bad());
        }
        let slot = num(parts[1])?;
        if slot == 0 || slot > 12 {
            return Err(bad());
        }
        let patch = parts.get(2).map(|p| num(p)).transpose()?;
        if patch == Some(0) {
            return Err(bad());
        }
        Ok(Self {
            year: i32::try_from(year).map_err(|_| bad())?,
            slot,
            patch,
        })
    }
}

impl Ord for ReleaseId {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.year, self.slot, self.patch.unwrap_or(0)).cmp(&(
            other.year,
            other.slot,
            other.patch.unwrap_or(0),
        ))
    }
}

impl PartialOrd for ReleaseId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for ReleaseId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ReleaseId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_strict() {
        for ok in ["CR-0042", "a", "x.y_z-1", &"a".repeat(64)] {
            assert!(Id::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-a",
            ".hidden",
            "../etc",
            "a/b",
            "a b",
            "ä",
            &"a".repeat(65),
        ] {
            assert!(Id::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn release_ids_parse_order_and_print() {
        let r: ReleaseId = "2027.3".parse().expect("valid");
        assert_eq!(r, ReleaseId::new(2027, 3));
        assert_eq!(r.to_string(), "2027.3");
        let h: ReleaseId = "2027.3.1".parse().expect("valid");
        assert!(h > r && h < ReleaseId::new(2027, 4));
        assert_eq!(h.semver(), "2027.3.1");
        assert_eq!(r.semver(), "2027.3.0");
        for bad in [
            "2027",
            "2027.0",
            "27.1",
            "2027.1.0",
            "2027.x",
            "2027.1.2.3",
            "2027.13",
        ] {
            assert!(bad.parse::<ReleaseId>().is_err(), "{bad}");
        }
    }
}
