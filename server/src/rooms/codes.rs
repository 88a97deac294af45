//! Join codes and creator tokens.
//!
//! A join code is read aloud in a classroom and typed on a phone, so it is
//! short (six characters, shown as `KFC-7PX`) and drawn from an alphabet
//! without look-alikes: no `0`/`O`/`Q`, `1`/`I`/`L`, `2`/`Z`, `5`/`S`,
//! `6`/`G`, `8`/`B`, `U`/`V`. Codes are typed back in any case, with or
//! without the dash or spaces. The code is the only way into a room, so it
//! comes from the operating system's random source (20⁶ = 64 million
//! codes, and a session that guesses wrong is slowed down; see
//! `rooms_ws`). The creator's token is a separate 128-bit secret, which
//! the room (`fanout_shared::room`) compares with what it is presented.

/// The characters a code is made of.
pub const ALPHABET: &[u8; 20] = b"ACDEFHJKMNPRTWXY3479";

/// Characters in a code (not counting the dash).
pub const CODE_LEN: usize = 6;

/// `n` random bytes from the operating system.
fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness (never seen on the platforms we build for):
        // fall back to the process's randomly keyed hasher, still
        // unpredictable from outside.
        use std::hash::{BuildHasher, RandomState};
        for (i, chunk) in bytes.chunks_mut(8).enumerate() {
            let word = RandomState::new().hash_one((i, std::time::Instant::now()));
            for (b, w) in chunk.iter_mut().zip(word.to_le_bytes()) {
                *b = w;
            }
        }
    }
    bytes
}

/// A fresh code, `XXX-XXX`.
pub fn new_code() -> String {
    // 240 = 12 × 20: rejecting bytes ≥ 240 keeps every character equally
    // likely.
    let mut out = String::with_capacity(CODE_LEN + 1);
    let mut count = 0;
    while count < CODE_LEN {
        for b in random_bytes::<16>() {
            if b < 240 && count < CODE_LEN {
                if count == CODE_LEN / 2 {
                    out.push('-');
                }
                out.push(char::from(ALPHABET[usize::from(b % 20)]));
                count += 1;
            }
        }
    }
    out
}

/// The canonical form of a typed code (`kfc 7px` → `KFC-7PX`), or `None`
/// if it cannot be one.
pub fn normalize(typed: &str) -> Option<String> {
    let chars: Vec<u8> = typed
        .bytes()
        .filter(|b| !matches!(b, b'-' | b' ' | b'_'))
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if chars.len() != CODE_LEN || !chars.iter().all(|b| ALPHABET.contains(b)) {
        return None;
    }
    let (a, b) = chars.split_at(CODE_LEN / 2);
    Some(format!(
        "{}-{}",
        String::from_utf8_lossy(a),
        String::from_utf8_lossy(b)
    ))
}

/// A creator token: 32 lower-case hex digits.
pub fn new_token() -> String {
    random_bytes::<16>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use fanout_shared::room::token_matches;

    use super::*;

    #[test]
    fn codes_use_the_alphabet_and_read_back() {
        for _ in 0..200 {
            let code = new_code();
            assert_eq!(code.len(), CODE_LEN + 1);
            assert_eq!(code.as_bytes()[3], b'-');
            assert!(
                code.bytes()
                    .filter(|b| *b != b'-')
                    .all(|b| ALPHABET.contains(&b))
            );
            assert_eq!(
                normalize(&code.to_lowercase()).as_deref(),
                Some(code.as_str())
            );
            assert_eq!(
                normalize(&code.replace('-', " ")).as_deref(),
                Some(code.as_str())
            );
        }
        assert_eq!(normalize("KFC-7PX").as_deref(), Some("KFC-7PX"));
        assert_eq!(normalize("KFC-7P0"), None, "0 is not in the alphabet");
        assert_eq!(normalize("KFC-7P"), None);
    }

    #[test]
    fn no_look_alikes() {
        for c in b"0OQ1IL2Z5S6G8BUV" {
            assert!(!ALPHABET.contains(c), "{}", char::from(*c));
        }
    }

    #[test]
    fn tokens_are_fresh_and_compared_exactly() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(token_matches(&a, &a.clone()));
        assert!(!token_matches(&a, &b));
        assert!(!token_matches(&a, &a[..31]));
    }
}
