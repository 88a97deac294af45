//! Client-side partitioning: which server a key lives on (lesson 6 of
//! docs/design/curriculum.md, the chapter's "hashing and partitioning").
//!
//! Memcached servers never talk to each other; every client computes the
//! placement itself, so all clients must compute the *same* placement, and a
//! good scheme spreads keys evenly and moves few of them when a server joins
//! or leaves. One file per scheme, each reproducing a real program exactly:
//!
//! | [`Scheme`] | file | reproduces |
//! |---|---|---|
//! | first letter | [`alpha`] | the chapter's `alpha_shard` |
//! | built-in hash | [`builtin_hash`] | the chapter's `hash_shard` (CPython 3.11+ `hash(str)`) |
//! | md5 last byte | [`md5_byte`] | the chapter's `md5_shard` |
//! | crc32 | [`crc32`] | python-memcached 1.62 |
//! | consistent ring | [`ketama`] | libketama / libmemcached ketama |
//! | rendezvous | [`rendezvous`] | pymemcache 4.0 `HashClient` |
//! | jump | [`jump`] | Lamping and Veach's jump consistent hash |
//!
//! [`stats`] summarises balance and moves; [`keys`] turns a word list into
//! keys. `shared/tests/shard_python.rs` checks the placements against the
//! real Python libraries and libmemcached.

pub mod alpha;
pub mod builtin_hash;
pub mod crc32;
pub mod jump;
pub mod ketama;
pub mod keys;
pub mod md5_byte;
pub mod murmur3;
pub mod rendezvous;
pub mod stats;

use serde::{Deserialize, Serialize};

use crate::lang::{Lang, Say};

pub use ketama::Ring;
pub use keys::{Key, KeySet};
pub use stats::{Balance, Moves};

/// The placement schemes the lab compares, in the order it shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scheme {
    FirstLetter,
    BuiltinHash,
    Md5LastByte,
    Crc32,
    Ketama,
    Rendezvous,
    Jump,
}

impl Scheme {
    pub const ALL: [Scheme; 7] = [
        Scheme::FirstLetter,
        Scheme::BuiltinHash,
        Scheme::Md5LastByte,
        Scheme::Crc32,
        Scheme::Ketama,
        Scheme::Rendezvous,
        Scheme::Jump,
    ];

    /// A stable identifier for URLs, JSON and test hooks.
    pub fn id(self) -> &'static str {
        match self {
            Scheme::FirstLetter => "first_letter",
            Scheme::BuiltinHash => "builtin_hash",
            Scheme::Md5LastByte => "md5_last_byte",
            Scheme::Crc32 => "crc32",
            Scheme::Ketama => "ketama",
            Scheme::Rendezvous => "rendezvous",
            Scheme::Jump => "jump",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scheme| scheme.id() == id)
    }

    /// A short human name.
    pub fn title(self) -> &'static str {
        match self {
            Scheme::FirstLetter => "First letter",
            Scheme::BuiltinHash => "Built-in hash()",
            Scheme::Md5LastByte => "md5 last byte mod N",
            Scheme::Crc32 => "python-memcached crc32",
            Scheme::Ketama => "Consistent hashing (ketama ring)",
            Scheme::Rendezvous => "Rendezvous (pymemcache)",
            Scheme::Jump => "Jump hash",
        }
    }

    /// Whether the placement is "hash mod number of servers", which moves
    /// most keys whenever that number changes.
    pub fn is_mod_n(self) -> bool {
        matches!(
            self,
            Scheme::BuiltinHash | Scheme::Md5LastByte | Scheme::Crc32
        )
    }
}

/// The knobs some schemes have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// `PYTHONHASHSEED` of the client process for [`Scheme::BuiltinHash`]
    /// (0 turns randomisation off; a real Python picks one at random).
    pub python_hash_seed: u32,
    /// Ring points per server for [`Scheme::Ketama`].
    pub ketama_points: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            python_hash_seed: 1,
            ketama_points: ketama::DEFAULT_POINTS_PER_SERVER,
        }
    }
}

/// Why a placer cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShardError {
    NoServers,
    DuplicateServer(String),
}

impl std::error::Error for ShardError {}

impl std::fmt::Display for ShardError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english())
    }
}

impl Say for ShardError {
    fn say(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, ShardError::NoServers) => {
                "a key needs at least one server to live on".into()
            }
            (Lang::En, ShardError::DuplicateServer(name)) => {
                format!("server names must be distinct; {name:?} appears twice")
            }
            (Lang::Zh, ShardError::NoServers) => "键至少需要一台服务器来存放".into(),
            (Lang::Zh, ShardError::DuplicateServer(name)) => {
                format!("服务器名称不能重复；{name:?} 出现了两次")
            }
        }
    }
}

/// One scheme set up for one server list: answers "which server?" per key.
#[derive(Debug, Clone)]
pub struct Placer {
    scheme: Scheme,
    servers: Vec<String>,
    how: How,
}

#[derive(Debug, Clone)]
enum How {
    Alpha(Vec<char>),
    Builtin { seed: u32 },
    Md5,
    Crc32,
    Ketama(Ring),
    Rendezvous(rendezvous::Rendezvous),
    Jump,
}

impl Placer {
    pub fn new(
        scheme: Scheme,
        servers: &[String],
        settings: &Settings,
    ) -> Result<Self, ShardError> {
        if servers.is_empty() {
            return Err(ShardError::NoServers);
        }
        let mut sorted: Vec<&String> = servers.iter().collect();
        sorted.sort();
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(ShardError::DuplicateServer(pair[0].clone()));
        }
        let how = match scheme {
            Scheme::FirstLetter => How::Alpha(alpha::boundaries(servers.len())),
            Scheme::BuiltinHash => How::Builtin {
                seed: settings.python_hash_seed,
            },
            Scheme::Md5LastByte => How::Md5,
            Scheme::Crc32 => How::Crc32,
            Scheme::Ketama => How::Ketama(Ring::new(servers, settings.ketama_points)),
            Scheme::Rendezvous => How::Rendezvous(rendezvous::Rendezvous::new(servers)),
            Scheme::Jump => How::Jump,
        };
        Ok(Placer {
            scheme,
            servers: servers.to_vec(),
            how,
        })
    }

    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    pub fn servers(&self) -> &[String] {
        &self.servers
    }

    /// The consistent-hashing ring, for [`Scheme::Ketama`].
    pub fn ring(&self) -> Option<&Ring> {
        match &self.how {
            How::Ketama(ring) => Some(ring),
            _ => None,
        }
    }

    /// The index (into [`Placer::servers`]) of the server for `key`,
    /// computing only the hash this scheme needs (what a client pays per
    /// request).
    pub fn place(&self, key: &str) -> usize {
        let n = self.servers.len();
        match &self.how {
            How::Alpha(boundaries) => alpha::place(key, boundaries),
            How::Builtin { seed } => builtin_hash::place(key, *seed, n),
            How::Md5 => md5_byte::place(key, n),
            How::Crc32 => crc32::place(key, n),
            How::Ketama(ring) => ring.lookup(ketama::key_hash(&md5_byte::digest(key))),
            How::Rendezvous(ready) => ready.place(key),
            How::Jump => jump_place(&md5_byte::digest(key), n),
        }
    }

    /// As [`Placer::place`], reusing the key's precomputed hashes.
    pub fn place_key(&self, key: &Key) -> usize {
        let n = self.servers.len();
        match &self.how {
            How::Alpha(boundaries) => alpha::place(&key.text, boundaries),
            How::Builtin { seed } => builtin_hash::place(&key.text, *seed, n),
            How::Md5 => md5_byte::place_digest(&key.md5, n),
            How::Crc32 => crc32::place_hash(key.crc_hash, n),
            How::Ketama(ring) => ring.lookup(ketama::key_hash(&key.md5)),
            How::Rendezvous(ready) => ready.place(&key.text),
            How::Jump => jump_place(&key.md5, n),
        }
    }

    /// Places every key: `result[i]` is the server index of `keys[i]`.
    pub fn assign(&self, keys: &KeySet) -> Vec<u32> {
        keys.keys()
            .iter()
            .map(|key| self.place_key(key) as u32)
            .collect()
    }
}

fn jump_place(md5: &[u8; 16], servers: usize) -> usize {
    let buckets = u32::try_from(servers).expect("fewer than 2^32 servers");
    jump::jump_consistent_hash(jump::key_of(md5), buckets) as usize
}

/// The lab's name for the `i`-th server (from 0): `"10.0.0.{i+1}:11211"`,
/// the chapter's picture of one memcached per machine on the default port.
pub fn server_name(i: usize) -> String {
    format!("10.0.0.{}:11211", i + 1)
}

/// The first `n` server names.
pub fn servers(n: usize) -> Vec<String> {
    (0..n).map(server_name).collect()
}

/// A change to the server list: one joins at the end, or one leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "index")]
pub enum ServerChange {
    /// A new server is appended, named with the lowest unused number.
    Add,
    /// The server at this index leaves; the rest keep their order.
    Remove(usize),
}

impl ServerChange {
    /// The server list after the change. Removing from a one-server list or
    /// past the end leaves it unchanged.
    pub fn apply(self, servers: &[String]) -> Vec<String> {
        let mut after = servers.to_vec();
        match self {
            ServerChange::Add => {
                let name = (0..)
                    .map(server_name)
                    .find(|name| !servers.contains(name))
                    .expect("an unused name exists");
                after.push(name);
            }
            ServerChange::Remove(index) if index < after.len() && after.len() > 1 => {
                after.remove(index);
            }
            ServerChange::Remove(_) => {}
        }
        after
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_ids_round_trip() {
        for scheme in Scheme::ALL {
            assert_eq!(Scheme::from_id(scheme.id()), Some(scheme));
            let json = serde_json::to_string(&scheme).expect("serialises");
            assert_eq!(json, format!("\"{}\"", scheme.id()));
        }
    }

    #[test]
    fn placer_refuses_empty_and_duplicate_lists() {
        let settings = Settings::default();
        assert_eq!(
            Placer::new(Scheme::Jump, &[], &settings).unwrap_err(),
            ShardError::NoServers
        );
        let twice = vec!["a:1".to_owned(), "a:1".to_owned()];
        assert!(matches!(
            Placer::new(Scheme::Jump, &twice, &settings),
            Err(ShardError::DuplicateServer(_))
        ));
    }

    #[test]
    fn every_scheme_stays_in_range() {
        let keys = KeySet::parse("a b c zebra éclair 缓存 😀 '' 0", true);
        for n in 1..=16 {
            for scheme in Scheme::ALL {
                let placer =
                    Placer::new(scheme, &servers(n), &Settings::default()).expect("placer");
                for key in keys.keys() {
                    assert!(placer.place_key(key) < n, "{scheme:?} {n}");
                    assert_eq!(placer.place_key(key), placer.place(&key.text));
                }
            }
        }
    }

    #[test]
    fn server_changes() {
        let three = servers(3);
        assert_eq!(ServerChange::Add.apply(&three), servers(4));
        assert_eq!(
            ServerChange::Remove(1).apply(&three),
            vec![server_name(0), server_name(2)]
        );
        // The lowest free number is reused.
        let gap = ServerChange::Remove(0).apply(&three);
        assert_eq!(ServerChange::Add.apply(&gap)[2], server_name(0));
        assert_eq!(ServerChange::Remove(0).apply(&servers(1)), servers(1));
    }
}
