//! python-memcached's placement (the chapter's own client, `import memcache`,
//! version 1.62): `cmemcache_hash(key) % len(buckets)` where
//! `cmemcache_hash(key) = ((crc32(key) & 0xffffffff) >> 16) & 0x7fff` and the
//! key is its UTF-8 bytes.
//!
//! The hash keeps only 15 bits of the CRC, enough for an even spread over a
//! handful of servers, and the `%` makes it a mod-N scheme: adding a server
//! moves most keys. Each server appears `weight` times in `buckets`; the lab
//! uses weight 1. (When a server is down, python-memcached rehashes
//! `str(hash) + str(attempt)` to try another; the lab assumes all are up.)

/// `cmemcache_hash` of the key's UTF-8 bytes.
pub fn cmemcache_hash(key: &[u8]) -> u32 {
    (crc32fast::hash(key) >> 16) & 0x7fff
}

/// The bucket for a precomputed [`cmemcache_hash`].
pub fn place_hash(hash: u32, servers: usize) -> usize {
    usize::try_from(hash).expect("15 bits fit") % servers
}

/// python-memcached's server index for `key`.
pub fn place(key: &str, servers: usize) -> usize {
    place_hash(cmemcache_hash(key.as_bytes()), servers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        // The CRC-32 catalogue's check value: crc32("123456789") = 0xcbf43926.
        assert_eq!(crc32fast::hash(b"123456789"), 0xcbf4_3926);
        assert_eq!(cmemcache_hash(b"123456789"), 0xcbf4 & 0x7fff);
    }
}
