//! The keys the lab places: a word list split like the chapter's
//! `open(...).read().split()`, lower-cased as the chapter does before
//! sharding, with repeats dropped (a cache holds a key once), and each key's
//! scheme-independent hashes computed once so that changing the number of
//! servers only redoes the cheap part.

use std::collections::HashSet;

use super::{crc32, md5_byte};

/// One key and its precomputed hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub text: String,
    /// MD5 of the UTF-8 key: the chapter's md5 shard, ketama and jump use it.
    pub md5: [u8; 16],
    /// python-memcached's `cmemcache_hash`.
    pub crc_hash: u32,
}

impl Key {
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        Key {
            md5: md5_byte::digest(&text),
            crc_hash: crc32::cmemcache_hash(text.as_bytes()),
            text,
        }
    }
}

/// A list of distinct keys, in the order first seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySet {
    keys: Vec<Key>,
    /// Words read before repeats were dropped.
    words_read: usize,
}

impl KeySet {
    /// Splits `text` on whitespace, optionally lower-cases each word (the
    /// chapter calls `word.lower()`), and keeps the first of any repeats.
    pub fn parse(text: &str, lowercase: bool) -> Self {
        let mut seen = HashSet::new();
        let mut keys = Vec::new();
        let mut words_read = 0;
        for word in text.split_whitespace() {
            words_read += 1;
            let word = if lowercase {
                word.to_lowercase()
            } else {
                word.to_owned()
            };
            if seen.insert(word.clone()) {
                keys.push(Key::new(word));
            }
        }
        KeySet { keys, words_read }
    }

    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Words in the input, repeats included.
    pub fn words_read(&self) -> usize {
        self.words_read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lowercases_and_drops_repeats() {
        let set = KeySet::parse("Apple apple\n banana\tAPPLE Cherry ", true);
        let texts: Vec<&str> = set.keys().iter().map(|k| k.text.as_str()).collect();
        assert_eq!(texts, ["apple", "banana", "cherry"]);
        assert_eq!(set.words_read(), 5);
        let kept = KeySet::parse("Apple apple", false);
        assert_eq!(kept.len(), 2);
    }
}
