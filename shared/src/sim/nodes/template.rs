//! Payload templates for the building-block programs: `"job {n}"`,
//! `"{topic} {n}"`, `"done: {payload}"`. Placeholders are replaced
//! literally; anything else is kept, so a template can never fail.

/// Values a template may use.
#[derive(Debug, Default, Clone, Copy)]
pub struct Vars<'a> {
    /// The program's running message count.
    pub n: u64,
    pub node: &'a str,
    pub topic: &'a str,
    /// The message being answered or forwarded.
    pub payload: &'a str,
}

pub fn render(template: &str, vars: Vars<'_>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let (text, skip) = if after.starts_with("{n}") {
            (Some(Either::N(vars.n)), 3)
        } else if after.starts_with("{node}") {
            (Some(Either::S(vars.node)), 6)
        } else if after.starts_with("{topic}") {
            (Some(Either::S(vars.topic)), 7)
        } else if after.starts_with("{payload}") {
            (Some(Either::S(vars.payload)), 9)
        } else {
            (None, 1)
        };
        match text {
            Some(Either::N(n)) => {
                use std::fmt::Write;
                let _ = write!(out, "{n}");
            }
            Some(Either::S(s)) => out.push_str(s),
            None => out.push('{'),
        }
        rest = &after[skip..];
    }
    out.push_str(rest);
    out
}

enum Either<'a> {
    N(u64),
    S(&'a str),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_placeholders() {
        let v = Vars {
            n: 7,
            node: "web",
            topic: "news",
            payload: "x",
        };
        assert_eq!(
            render("{topic} {n} from {node}: {payload}", v),
            "news 7 from web: x"
        );
        assert_eq!(render("{unknown} {", v), "{unknown} {");
        assert_eq!(render("plain", v), "plain");
    }
}
