//! Which D1 database holds a prefecture's personal records (issue 23). Pure: the edge reads the map from the
//! variable `SHARDS` on every request (through [`crate::config`]), `cargo xtask` reads the same variable from
//! `wrangler.toml` to apply migrations to every database and to check that every shard is bound.
//!
//! The map is written `13=SHARD_TOKYO,14=SHARD_KANAGAWA,*=SHARD_REST`: a prefecture's JIS code (two digits) or `*`
//! (every other prefecture, required exactly once), `=`, and the name of a D1 binding. `*=DB` puts every record in
//! the core database (one database, as before shards; the bench compares the two setups).
//!
//! The core database (binding [`CORE`]) holds accounts, institutions, health centers and the routing table of
//! records to shards; a shard holds the records of its prefectures and what hangs off them (ARCHITECTURE.md,
//! "Shards").

use std::fmt;

/// The binding of the core database.
pub const CORE: &str = "DB";

/// A shard: the name of its D1 binding (e.g. `SHARD_TOKYO`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShardId(pub String);

impl ShardId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ShardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The checked map from prefecture to shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardMap {
    /// Prefecture code (`"13"`) → binding, in the order written.
    named: Vec<(String, ShardId)>,
    /// The binding of every prefecture not named.
    rest: ShardId,
}

/// Why a `SHARDS` value cannot be used (for the deployer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardMapError(pub String);

impl fmt::Display for ShardMapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn binding_name_ok(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

fn pref_ok(s: &str) -> bool {
    s.len() == 2 && s.parse::<u8>().is_ok_and(|n| (1..=47).contains(&n))
}

impl ShardMap {
    /// One database for everything (`*=DB`).
    pub fn single() -> Self {
        ShardMap {
            named: Vec::new(),
            rest: ShardId(CORE.to_owned()),
        }
    }

    pub fn parse(text: &str) -> Result<Self, ShardMapError> {
        let mut named: Vec<(String, ShardId)> = Vec::new();
        let mut rest: Option<ShardId> = None;
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((pref, binding)) = part.split_once('=') else {
                return Err(ShardMapError(format!(
                    "SHARDS: {part:?} is not prefecture=BINDING (e.g. 13=SHARD_TOKYO)"
                )));
            };
            let (pref, binding) = (pref.trim(), binding.trim());
            if !binding_name_ok(binding) {
                return Err(ShardMapError(format!(
                    "SHARDS: {binding:?} is not a binding name (capitals, digits and _)"
                )));
            }
            if pref == "*" {
                if rest.is_some() {
                    return Err(ShardMapError("SHARDS: * is given twice".into()));
                }
                rest = Some(ShardId(binding.to_owned()));
            } else if pref_ok(pref) {
                if named.iter().any(|(p, _)| p == pref) {
                    return Err(ShardMapError(format!(
                        "SHARDS: prefecture {pref} is given twice"
                    )));
                }
                named.push((pref.to_owned(), ShardId(binding.to_owned())));
            } else {
                return Err(ShardMapError(format!(
                    "SHARDS: {pref:?} is not a prefecture code (01–47) or *"
                )));
            }
        }
        let Some(rest) = rest else {
            return Err(ShardMapError(
                "SHARDS has no * entry: every prefecture needs a shard (e.g. *=SHARD_REST)".into(),
            ));
        };
        Ok(ShardMap { named, rest })
    }

    /// The shard of a prefecture (`"13"`); an unknown or empty code goes to the rest.
    pub fn for_pref(&self, pref_code: &str) -> &ShardId {
        self.named
            .iter()
            .find(|(p, _)| p == pref_code)
            .map_or(&self.rest, |(_, s)| s)
    }

    /// Every distinct shard, named ones first in the order written, then the rest's.
    pub fn all(&self) -> Vec<ShardId> {
        let mut out: Vec<ShardId> = Vec::new();
        for s in self
            .named
            .iter()
            .map(|(_, s)| s)
            .chain(std::iter::once(&self.rest))
        {
            if !out.contains(s) {
                out.push(s.clone());
            }
        }
        out
    }

    /// Whether a shard is the core database itself (one-database setup).
    pub fn is_single(&self) -> bool {
        self.all() == vec![ShardId(CORE.to_owned())]
    }

    /// The prefectures a shard holds, for documentation and the deploy check (`None` = every one not named).
    pub fn prefs_of(&self, shard: &ShardId) -> (Vec<&str>, bool) {
        let named = self
            .named
            .iter()
            .filter(|(_, s)| s == shard)
            .map(|(p, _)| p.as_str())
            .collect();
        (named, &self.rest == shard)
    }

    /// The text form (what `parse` reads).
    pub fn to_text(&self) -> String {
        let mut parts: Vec<String> = self.named.iter().map(|(p, s)| format!("{p}={s}")).collect();
        parts.push(format!("*={}", self.rest));
        parts.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_shards() {
        let m = ShardMap::parse("13=SHARD_TOKYO, 14=SHARD_KANAGAWA,*=SHARD_REST").unwrap();
        assert_eq!(m.for_pref("13").as_str(), "SHARD_TOKYO");
        assert_eq!(m.for_pref("14").as_str(), "SHARD_KANAGAWA");
        assert_eq!(m.for_pref("27").as_str(), "SHARD_REST");
        assert_eq!(m.for_pref("").as_str(), "SHARD_REST");
        assert_eq!(
            m.all().iter().map(ShardId::as_str).collect::<Vec<_>>(),
            ["SHARD_TOKYO", "SHARD_KANAGAWA", "SHARD_REST"]
        );
        assert!(!m.is_single());
        assert_eq!(m.to_text(), "13=SHARD_TOKYO,14=SHARD_KANAGAWA,*=SHARD_REST");
        assert_eq!(m.prefs_of(&ShardId("SHARD_REST".into())), (vec![], true));
    }

    #[test]
    fn single_database() {
        let m = ShardMap::parse("*=DB").unwrap();
        assert!(m.is_single());
        assert_eq!(m, ShardMap::single());
    }

    #[test]
    fn shared_binding_is_listed_once() {
        let m = ShardMap::parse("13=A,14=A,*=B").unwrap();
        assert_eq!(m.all().len(), 2);
        assert_eq!(m.prefs_of(&ShardId("A".into())), (vec!["13", "14"], false));
    }

    #[test]
    fn mistakes_are_named() {
        for (text, says) in [
            ("", "no *"),
            ("13=SHARD_TOKYO", "no *"),
            ("*=A,*=B", "twice"),
            ("13=A,13=B,*=C", "twice"),
            ("48=A,*=B", "not a prefecture"),
            ("tokyo=A,*=B", "not a prefecture"),
            ("13=shard,*=B", "not a binding"),
            ("13,*=B", "not prefecture=BINDING"),
        ] {
            let e = ShardMap::parse(text).unwrap_err();
            assert!(e.0.contains(says), "{text:?}: {e}");
        }
    }
}
