//! Redis's glob patterns (`stringmatchlen` in its util.c), used by KEYS,
//! SCAN's MATCH, PSUBSCRIBE and CONFIG GET: `*`, `?`, `[abc]`, `[^a-z]`
//! and `\` escapes, matched on bytes. Like Redis, a pattern that makes the
//! matcher recurse too deeply simply does not match, so a hostile pattern
//! of many stars cannot take the server down.

/// How deep `*` may recurse before giving up (Redis 7.0's limit).
const MAX_NESTING: usize = 1000;

/// Whether `text` matches `pattern`.
pub fn matches(pattern: &[u8], text: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_at(pattern, text, nocase, &mut skip_longer, 0)
}

fn fold(byte: u8, nocase: bool) -> u8 {
    if nocase {
        byte.to_ascii_lowercase()
    } else {
        byte
    }
}

fn match_at(
    mut pattern: &[u8],
    mut text: &[u8],
    nocase: bool,
    skip_longer: &mut bool,
    nesting: usize,
) -> bool {
    if nesting > MAX_NESTING {
        return false;
    }
    while !pattern.is_empty() && !text.is_empty() {
        match pattern[0] {
            b'*' => {
                while pattern.len() > 1 && pattern[1] == b'*' {
                    pattern = &pattern[1..];
                }
                if pattern.len() == 1 {
                    return true;
                }
                while !text.is_empty() {
                    if match_at(&pattern[1..], text, nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        // A longer text cannot match either (Redis's
                        // early exit that keeps `*a*a*a…` linear).
                        return false;
                    }
                    text = &text[1..];
                }
                *skip_longer = true;
                return false;
            }
            b'?' => {
                text = &text[1..];
            }
            b'[' => {
                pattern = &pattern[1..];
                let not = pattern.first() == Some(&b'^');
                if not {
                    pattern = &pattern[1..];
                }
                let mut matched = false;
                loop {
                    if pattern.len() >= 2 && pattern[0] == b'\\' {
                        pattern = &pattern[1..];
                        if pattern[0] == text[0] {
                            matched = true;
                        }
                    } else if pattern.first() == Some(&b']') {
                        break;
                    } else if pattern.is_empty() {
                        // An unclosed class: Redis steps back onto the
                        // last byte and ends the pattern there.
                        break;
                    } else if pattern.len() >= 3 && pattern[1] == b'-' {
                        let (mut start, mut end) = (pattern[0], pattern[2]);
                        let c = fold(text[0], nocase);
                        if start > end {
                            std::mem::swap(&mut start, &mut end);
                        }
                        let (start, end) = (fold(start, nocase), fold(end, nocase));
                        pattern = &pattern[2..];
                        if c >= start && c <= end {
                            matched = true;
                        }
                    } else if fold(pattern[0], nocase) == fold(text[0], nocase) {
                        matched = true;
                    }
                    pattern = &pattern[1..];
                }
                let matched = if not { !matched } else { matched };
                if !matched {
                    return false;
                }
                text = &text[1..];
                if pattern.is_empty() {
                    // The class ran to the end of the pattern.
                    return text.is_empty();
                }
            }
            b'\\' if pattern.len() >= 2 => {
                pattern = &pattern[1..];
                if pattern[0] != text[0] {
                    return false;
                }
                text = &text[1..];
            }
            literal => {
                if fold(literal, nocase) != fold(text[0], nocase) {
                    return false;
                }
                text = &text[1..];
            }
        }
        pattern = &pattern[1..];
        if text.is_empty() {
            while pattern.first() == Some(&b'*') {
                pattern = &pattern[1..];
            }
            break;
        }
    }
    pattern.is_empty() && text.is_empty()
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn globs_match_as_in_redis() {
        for (pattern, text, want) in [
            ("*", "anything", true),
            // As in Redis: a lone star needs one byte (KEYS * is special-cased).
            ("*", "", false),
            ("h?llo", "hello", true),
            ("h?llo", "hllo", false),
            ("h*llo", "heeeello", true),
            ("h[ae]llo", "hallo", true),
            ("h[ae]llo", "hillo", false),
            ("h[^e]llo", "hallo", true),
            ("h[^e]llo", "hello", false),
            ("h[a-b]llo", "hbllo", true),
            ("h[b-a]llo", "hallo", true),
            ("h\\*llo", "h*llo", true),
            ("h\\*llo", "hello", false),
            ("/0.celery.pidbox", "/0.celery.pidbox", true),
            ("/0.celeryev/worker.*", "/0.celeryev/worker.heartbeat", true),
            ("a*", "", false),
            ("a**", "a", true),
            ("", "", true),
            ("", "a", false),
            ("abc", "ab", false),
        ] {
            assert_eq!(
                matches(pattern.as_bytes(), text.as_bytes(), false),
                want,
                "{pattern:?} vs {text:?}"
            );
        }
    }

    #[test]
    fn many_stars_end_quickly() {
        let pattern = "a*".repeat(5000) + "b";
        let text = "a".repeat(5000);
        assert!(!matches(pattern.as_bytes(), text.as_bytes(), false));
    }
}
