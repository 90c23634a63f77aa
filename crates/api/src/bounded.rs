//! Text a client sent, cut to size before it is logged or echoed in an answer.

/// Longest path (or request id) logged or echoed, in bytes.
pub const MAX_ECHOED: usize = 256;

/// `s` cut to at most `max` bytes at a character boundary.
pub fn truncated(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cut_at_a_character_boundary() {
        assert_eq!(truncated("abc", 5), "abc");
        assert_eq!(truncated("abcdef", 3), "abc");
        assert_eq!(truncated("aệb", 2), "a");
        assert_eq!(truncated("aệb", 4), "aệ");
    }
}
