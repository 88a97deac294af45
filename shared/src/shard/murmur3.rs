//! MurmurHash3, 32-bit (x86_32), as pymemcache 4.0 carries it in
//! `pymemcache/client/murmur3.py` for its rendezvous hashing.
//!
//! pymemcache hashes a Python `str`, reading each *character's* code point
//! masked to its low byte; for ASCII this is MurmurHash3 of the bytes, but a
//! non-ASCII character contributes one byte (`ord(c) & 0xff`), not its UTF-8
//! bytes. [`murmur3_32_pymemcache`] reproduces that quirk.

const C1: u32 = 0xcc9e_2d51;
const C2: u32 = 0x1b87_3593;

/// MurmurHash3_x86_32 of `data` with `seed`.
pub fn murmur3_32(data: &[u8], seed: u32) -> u32 {
    let mut h1 = seed;
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        h1 = mix_h1(h1, u32::from_le_bytes(block.try_into().expect("4 bytes")));
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        let mut k1 = 0u32;
        for (i, &byte) in tail.iter().enumerate() {
            k1 |= u32::from(byte) << (8 * i);
        }
        h1 ^= mix_k1(k1);
    }
    // The length is taken modulo 2^32, as the C and Python versions do.
    h1 ^= data.len() as u32;
    fmix32(h1)
}

/// pymemcache's `murmur3_32(text, seed)` on a Python `str`.
pub fn murmur3_32_pymemcache(text: &str, seed: u32) -> u32 {
    murmur3_32(&pymemcache_bytes(text), seed)
}

/// MurmurHash3_x86_32 of `prefix ++ suffix` for one fixed prefix and many
/// suffixes, with the prefix's whole 4-byte blocks hashed once. Rendezvous
/// hashing scores every key on every server with `"{server}-{key}"`, so this
/// halves its cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefixed {
    /// The state after the prefix's whole blocks.
    h1: u32,
    /// The prefix's last 0–3 bytes, not yet a whole block.
    pending: Vec<u8>,
    prefix_len: usize,
}

impl Prefixed {
    pub fn new(prefix: &[u8], seed: u32) -> Self {
        let mut h1 = seed;
        let mut blocks = prefix.chunks_exact(4);
        for block in &mut blocks {
            h1 = mix_h1(h1, u32::from_le_bytes(block.try_into().expect("4 bytes")));
        }
        Prefixed {
            h1,
            pending: blocks.remainder().to_vec(),
            prefix_len: prefix.len(),
        }
    }

    /// `murmur3_32(prefix ++ suffix, seed)`.
    pub fn hash(&self, suffix: &[u8]) -> u32 {
        let mut h1 = self.h1;
        let mut block = 0u32;
        let mut filled = 0;
        for &byte in self.pending.iter().chain(suffix) {
            block |= u32::from(byte) << (8 * filled);
            filled += 1;
            if filled == 4 {
                h1 = mix_h1(h1, block);
                block = 0;
                filled = 0;
            }
        }
        if filled > 0 {
            h1 ^= mix_k1(block);
        }
        h1 ^= (self.prefix_len + suffix.len()) as u32;
        fmix32(h1)
    }
}

fn mix_h1(h1: u32, k1: u32) -> u32 {
    (h1 ^ mix_k1(k1))
        .rotate_left(13)
        .wrapping_mul(5)
        .wrapping_add(0xe654_6b64)
}

/// The bytes pymemcache's murmur3 reads from a Python `str`: each code
/// point's low byte.
pub fn pymemcache_bytes(text: &str) -> std::borrow::Cow<'_, [u8]> {
    if text.is_ascii() {
        std::borrow::Cow::Borrowed(text.as_bytes())
    } else {
        std::borrow::Cow::Owned(text.chars().map(|c| u32::from(c) as u8).collect())
    }
}

fn mix_k1(k1: u32) -> u32 {
    k1.wrapping_mul(C1).rotate_left(15).wrapping_mul(C2)
}

fn fmix32(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^= h >> 16;
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_vectors() {
        // Vectors from SMHasher's MurmurHash3_x86_32 as widely reproduced
        // (e.g. Guava's Murmur3_32HashFunctionTest), and pymemcache 4.0's
        // murmur3.py gives the same for these ASCII inputs (checked in
        // shared/tests/shard_python.rs).
        assert_eq!(murmur3_32(b"", 0), 0);
        assert_eq!(murmur3_32(b"", 1), 0x514e_28b7);
        assert_eq!(murmur3_32(b"", 0xffff_ffff), 0x81f1_6f39);
        assert_eq!(
            murmur3_32(b"The quick brown fox jumps over the lazy dog", 0),
            0x2e4f_f723
        );
    }

    #[test]
    fn prefixed_equals_whole() {
        let text = b"10.0.0.12:11211-some key of any length at all";
        for split in 0..text.len() {
            let (prefix, suffix) = text.split_at(split);
            assert_eq!(
                Prefixed::new(prefix, 0).hash(suffix),
                murmur3_32(text, 0),
                "split at {split}"
            );
        }
    }

    #[test]
    fn non_ascii_uses_low_bytes_of_code_points() {
        // 'é' is U+00E9: pymemcache hashes the single byte 0xe9, not UTF-8.
        assert_eq!(murmur3_32_pymemcache("é", 0), murmur3_32(&[0xe9], 0));
        assert_eq!(murmur3_32_pymemcache("abc", 7), murmur3_32(b"abc", 7));
    }
}
