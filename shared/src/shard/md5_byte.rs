//! The chapter's `md5_shard`: the last byte of the key's MD5 digest, modulo
//! the number of servers.
//!
//! MD5 is a public, unseeded algorithm, so every client in every language
//! computes the same placement, and its output bits are evenly spread, so
//! the servers get nearly equal shares. Its weakness is the `mod n`: change
//! `n` and almost every key changes server.

use md5::{Digest, Md5};

/// The MD5 digest of the key's UTF-8 bytes (the chapter's
/// `hashlib.md5(word.encode('utf-8')).digest()`).
pub fn digest(key: &str) -> [u8; 16] {
    Md5::digest(key.as_bytes()).into()
}

/// `digest[-1] % servers`, given the digest.
pub fn place_digest(digest: &[u8; 16], servers: usize) -> usize {
    usize::from(digest[15]) % servers
}

/// The chapter's placement of `key` over `servers` servers.
pub fn place(key: &str, servers: usize) -> usize {
    place_digest(&digest(key), servers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_1321_vectors() {
        // RFC 1321, appendix A.5.
        let hex = |d: [u8; 16]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(hex(digest("")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex(digest("abc")), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            hex(digest("message digest")),
            "f96b697d7cb7938d525a2f31aaf161d0"
        );
        // Last byte of md5("abc") is 0x72 = 114; 114 % 4 = 2.
        assert_eq!(place("abc", 4), 2);
    }
}
