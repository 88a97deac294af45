//! Numbers as memcached reads them from a stored value for incr/decr
//! (C's `strtoull` wrapped in memcached's `safe_strtoull`), so that the same
//! odd values ("  7", "+7", "7 ") succeed or fail exactly as there.

/// Reads a stored value as an unsigned 64-bit number, or `None` when
/// memcached would call it non-numeric.
pub fn parse_stored_u64(text: &[u8]) -> Option<u64> {
    let mut i = 0;
    while i < text.len() && is_c_space(text[i]) {
        i += 1;
    }
    let mut negative = false;
    if i < text.len() && (text[i] == b'+' || text[i] == b'-') {
        negative = text[i] == b'-';
        i += 1;
    }
    let digits_start = i;
    let mut value: u64 = 0;
    let mut overflow = false;
    while i < text.len() && text[i].is_ascii_digit() {
        match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(text[i] - b'0')))
        {
            Some(v) => value = v,
            None => overflow = true,
        }
        i += 1;
    }
    if overflow {
        return None;
    }
    // strtoull consumed nothing: safe_strtoull refuses (blanks included).
    if i == digits_start {
        return None;
    }
    if i < text.len() && !is_c_space(text[i]) {
        return None;
    }
    if negative {
        let wrapped = value.wrapping_neg();
        // safe_strtoull refuses a minus sign only when the result looks
        // negative as a signed number.
        if (wrapped as i64) < 0 {
            return None;
        }
        return Some(wrapped);
    }
    Some(value)
}

/// Reads a delta argument of incr/decr the same way (`safe_strtoull` on
/// the token): trailing garbage or a sign that makes it negative is refused.
pub fn parse_delta(token: &[u8]) -> Option<u64> {
    if token.is_empty() {
        return None;
    }
    parse_stored_u64(token).filter(|_| token.iter().any(|byte| byte.is_ascii_digit()))
}

/// C's `isspace` in the "C" locale.
pub fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_like_safe_strtoull() {
        assert_eq!(parse_stored_u64(b"42"), Some(42));
        assert_eq!(parse_stored_u64(b" 42"), Some(42));
        assert_eq!(parse_stored_u64(b"42 "), Some(42));
        assert_eq!(parse_stored_u64(b"+42"), Some(42));
        assert_eq!(parse_stored_u64(b"-1"), None);
        assert_eq!(parse_stored_u64(b"42abc"), None);
        assert_eq!(parse_stored_u64(b"abc"), None);
        assert_eq!(parse_stored_u64(b" "), None);
        assert_eq!(parse_stored_u64(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_stored_u64(b"18446744073709551616"), None);
        assert_eq!(parse_delta(b"5"), Some(5));
        assert_eq!(parse_delta(b"x"), None);
        assert_eq!(parse_delta(b""), None);
    }
}
