//! Jump consistent hash (Lamping and Veach, "A Fast, Minimal Memory,
//! Consistent Hash Algorithm", 2014).
//!
//! No ring and no per-server hashing: a short loop "jumps" the key forward
//! through bucket numbers with a 64-bit LCG, so growing from `n` to `n + 1`
//! buckets moves exactly the keys that land in the new bucket, about
//! `1/(n+1)`, and the spread is nearly perfect. The catch: buckets are
//! numbers, so only the *last* server can leave cleanly; removing one in the
//! middle renumbers the rest and moves many keys. The key's 64-bit input
//! here is the first eight bytes of its MD5 digest, little-endian.

/// The bucket in `0..buckets` for a 64-bit key (the paper's C++ code).
pub fn jump_consistent_hash(mut key: u64, buckets: u32) -> u32 {
    let mut b: i64 = -1;
    let mut j: i64 = 0;
    while j < i64::from(buckets) {
        b = j;
        key = key.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        j = ((b + 1) as f64 * ((1u64 << 31) as f64 / ((key >> 33) + 1) as f64)) as i64;
    }
    u32::try_from(b).unwrap_or(0)
}

/// The 64-bit key jump hash uses for a string, from its MD5 digest.
pub fn key_of(digest: &[u8; 16]) -> u64 {
    u64::from_le_bytes(digest[..8].try_into().expect("8 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_vectors() {
        // ClickHouse's tests/queries/0_stateless/00580_consistent_hashing_
        // functions.{sql,reference} (jumpConsistentHash), and 123456 → 984
        // from the rust-jumphash and jmphash-rs crates' tests.
        assert_eq!(jump_consistent_hash(1, 1), 0);
        assert_eq!(jump_consistent_hash(42, 57), 43);
        assert_eq!(jump_consistent_hash(256, 1024), 520);
        assert_eq!(jump_consistent_hash(3_735_883_980, 1), 0);
        assert_eq!(jump_consistent_hash(3_735_883_980, 666), 361);
        assert_eq!(jump_consistent_hash(16_045_690_984_833_335_023, 255), 237);
        assert_eq!(jump_consistent_hash(123_456, 1000), 984);
    }

    #[test]
    fn growing_only_moves_keys_into_the_new_bucket() {
        for key in 0..5000u64 {
            let key = key.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            for n in 1..20 {
                let (before, after) = (
                    jump_consistent_hash(key, n),
                    jump_consistent_hash(key, n + 1),
                );
                assert!(after == before || after == n);
            }
        }
    }
}
