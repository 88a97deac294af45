//! The chapter's `hash_shard`: Python's built-in `hash(word) % n`.
//!
//! The chapter's hidden trap: since Python 3.3 `hash()` of a `str` is keyed
//! by a secret chosen afresh in every process (unless `PYTHONHASHSEED` pins
//! it), so two client processes place the same key on different servers.
//! This module reproduces CPython 3.11+ exactly, so the lab can show two
//! "processes" with different seeds disagreeing, key by key:
//!
//! - the secret: `PYTHONHASHSEED=0` means all zeros (randomisation off);
//!   any other seed fills 24 bytes with the LCG of `lcg_urandom` in
//!   `Python/bootstrap_hash.c` (`x = x·214013 + 2531011`, byte `x >> 16`);
//!   SipHash's keys are the first two little-endian 64-bit words;
//! - the bytes hashed: the string's internal representation (PEP 393), one
//!   byte per character if all are below U+0100, two (UTF-16 LE code units
//!   without surrogates) if all are below U+10000, else four;
//! - the function: SipHash-1-3 (the default since Python 3.11; 3.4–3.10 used
//!   SipHash-2-4), an empty string hashes to 0 and a result of −1 becomes −2;
//! - the placement: Python's `%` rounds towards −∞, so it is never negative.

/// Python's `hash(s)` for a `str` in a process started with
/// `PYTHONHASHSEED=seed`, as a 64-bit CPython build computes it.
pub fn python_str_hash(s: &str, seed: u32) -> i64 {
    if s.is_empty() {
        return 0;
    }
    let (k0, k1) = secret_keys(seed);
    let hash = if s.is_ascii() {
        siphash13(k0, k1, s.as_bytes())
    } else {
        siphash13(k0, k1, &pep393_bytes(s))
    };
    // Reinterpreting the unsigned hash as Py_hash_t is what CPython does.
    match hash as i64 {
        -1 => -2,
        h => h,
    }
}

/// `hash(key) % servers` with Python's floor modulo.
pub fn place(key: &str, seed: u32, servers: usize) -> usize {
    let servers = i64::try_from(servers).expect("server count fits in i64");
    usize::try_from(python_str_hash(key, seed).rem_euclid(servers)).expect("non-negative")
}

/// SipHash's two keys for `PYTHONHASHSEED=seed`.
pub fn secret_keys(seed: u32) -> (u64, u64) {
    if seed == 0 {
        return (0, 0);
    }
    let mut bytes = [0u8; 16];
    let mut x = seed;
    for byte in &mut bytes {
        x = x.wrapping_mul(214_013).wrapping_add(2_531_011);
        *byte = (x >> 16) as u8;
    }
    let (k0, k1) = bytes.split_at(8);
    (
        u64::from_le_bytes(k0.try_into().expect("8 bytes")),
        u64::from_le_bytes(k1.try_into().expect("8 bytes")),
    )
}

/// The bytes CPython hashes for a non-ASCII `str`: its PEP 393 storage.
fn pep393_bytes(s: &str) -> Vec<u8> {
    let widest = s.chars().map(u32::from).max().unwrap_or(0);
    if widest < 0x100 {
        s.chars().map(|c| u32::from(c) as u8).collect()
    } else if widest < 0x1_0000 {
        s.chars()
            .flat_map(|c| (u32::from(c) as u16).to_le_bytes())
            .collect()
    } else {
        s.chars().flat_map(|c| u32::from(c).to_le_bytes()).collect()
    }
}

/// SipHash-1-3 as in CPython's `Python/pyhash.c` (one compression round per
/// block, three finalisation rounds).
pub fn siphash13(k0: u64, k1: u64, data: &[u8]) -> u64 {
    let mut v = [
        k0 ^ 0x736f_6d65_7073_6575,
        k1 ^ 0x646f_7261_6e64_6f6d,
        k0 ^ 0x6c79_6765_6e65_7261,
        k1 ^ 0x7465_6462_7974_6573,
    ];
    let mut blocks = data.chunks_exact(8);
    for block in &mut blocks {
        let m = u64::from_le_bytes(block.try_into().expect("8 bytes"));
        v[3] ^= m;
        sip_round(&mut v);
        v[0] ^= m;
    }
    let mut last = [0u8; 8];
    let tail = blocks.remainder();
    last[..tail.len()].copy_from_slice(tail);
    let b = u64::from_le_bytes(last) | ((data.len() as u64) << 56);
    v[3] ^= b;
    sip_round(&mut v);
    v[0] ^= b;
    v[2] ^= 0xff;
    for _ in 0..3 {
        sip_round(&mut v);
    }
    v[0] ^ v[1] ^ v[2] ^ v[3]
}

fn sip_round(v: &mut [u64; 4]) {
    v[0] = v[0].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(13);
    v[1] ^= v[0];
    v[0] = v[0].rotate_left(32);
    v[2] = v[2].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(16);
    v[3] ^= v[2];
    v[0] = v[0].wrapping_add(v[3]);
    v[3] = v[3].rotate_left(21);
    v[3] ^= v[0];
    v[2] = v[2].wrapping_add(v[1]);
    v[1] = v[1].rotate_left(17);
    v[1] ^= v[2];
    v[2] = v[2].rotate_left(32);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys_follow_cpythons_lcg() {
        // Read from `_Py_HashSecret` via ctypes in CPython 3.11.7 started
        // with PYTHONHASHSEED=1, 42 and 4294967295 (see
        // shared/tests/shard/placements.py, `secret` command).
        assert_eq!(secret_keys(0), (0, 0));
        assert_eq!(
            secret_keys(1),
            (0xaed6_6ce1_84be_2329, 0xebe9_bbf1_f149_9052)
        );
        assert_eq!(
            secret_keys(42),
            (0xdc50_4fd3_68cd_90af, 0xb920_bb9f_fe99_e9c1)
        );
        assert_eq!(
            secret_keys(u32::MAX),
            (0x8d85_be4c_852e_2b23, 0x7789_77fb_9871_9852)
        );
    }

    #[test]
    fn representation_widths() {
        assert_eq!(pep393_bytes("é"), vec![0xe9]);
        assert_eq!(pep393_bytes("é€"), vec![0xe9, 0x00, 0xac, 0x20]);
        assert_eq!(
            pep393_bytes("a😀"),
            vec![0x61, 0, 0, 0, 0x00, 0xf6, 0x01, 0]
        );
    }

    #[test]
    fn empty_string_hashes_to_zero_and_placement_is_never_negative() {
        assert_eq!(python_str_hash("", 7), 0);
        for seed in [0, 1, 2, 3] {
            for word in ["a", "b", "memcached", "zebra"] {
                assert!(place(word, seed, 3) < 3);
            }
        }
    }
}
