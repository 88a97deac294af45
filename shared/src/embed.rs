//! Embedding a lab in a course page: which pages can be embedded, the
//! widget URL for a lab page, and the `<iframe>` snippet.
//!
//! The browser's Embed button and the server's `/oembed` endpoint both build
//! the snippet here, so a teacher gets the same markup either way.

use std::fmt::Write as _;

pub use crate::lab::Lab;

/// A page of this site that can be embedded, split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageUrl {
    /// `http://127.0.0.1:8080`, with no trailing slash.
    pub origin: String,
    pub lab: Lab,
    /// The query string without its `?` (may be empty).
    pub query: String,
}

/// Why a URL cannot be embedded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbedError {
    #[error("url must be absolute, starting with http:// or https://")]
    NotAbsolute,
    #[error("url names no lab: expected a path such as /queues, /cache, /shards or /embed/queues")]
    NotALab,
}

impl PageUrl {
    /// Reads `http(s)://host[:port]/[embed/]<lab>[?query][#fragment]`.
    pub fn parse(url: &str) -> Result<PageUrl, EmbedError> {
        let rest = url
            .strip_prefix("https://")
            .map(|rest| ("https", rest))
            .or_else(|| url.strip_prefix("http://").map(|rest| ("http", rest)));
        let (scheme, rest) = rest.ok_or(EmbedError::NotAbsolute)?;
        let rest = rest.split('#').next().unwrap_or_default();
        let (authority, path_and_query) = match rest.find(['/', '?']) {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        if authority.is_empty() || authority.contains(char::is_whitespace) {
            return Err(EmbedError::NotAbsolute);
        }
        let (path, query) = path_and_query
            .split_once('?')
            .unwrap_or((path_and_query, ""));
        let path = path.trim_end_matches('/');
        let slug = path
            .strip_prefix("/embed/")
            .or_else(|| path.strip_prefix('/'))
            .ok_or(EmbedError::NotALab)?;
        let lab = Lab::from_slug(slug).ok_or(EmbedError::NotALab)?;
        Ok(PageUrl {
            origin: format!("{scheme}://{authority}"),
            lab,
            query: query.to_owned(),
        })
    }

    /// The widget's address: `<origin>/embed/<lab>?<query>`.
    pub fn embed_src(&self) -> String {
        let mut src = format!("{}/embed/{}", self.origin, self.lab.slug());
        if !self.query.is_empty() {
            src.push('?');
            src.push_str(&self.query);
        }
        src
    }

    /// The value of one query parameter, if present (no decoding: the
    /// parameters read this way are plain words).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }

    /// Sets a query parameter (replacing every earlier value), or removes
    /// it with `None`; the other parameters keep their order. The Embed
    /// button uses it to apply a teacher's options to the lab's address.
    /// `value` must already be URL-safe (the options are plain words).
    pub fn set_param(&mut self, name: &str, value: Option<&str>) {
        let mut pairs: Vec<&str> = self
            .query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .filter(|pair| pair.split('=').next() != Some(name))
            .collect();
        let added = value.map(|value| format!("{name}={value}"));
        if let Some(added) = &added {
            pairs.push(added);
        }
        self.query = pairs.join("&");
    }

    /// The iframe's title, in the language the URL asks for. A scenario
    /// given inline (URL-encoded JSON) is not a name, so it is left out.
    pub fn title(&self) -> String {
        let chinese = self
            .param("lang")
            .is_some_and(|lang| lang.starts_with("zh"));
        let scenario = self.param("scenario").filter(|name| {
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
        self.lab.title(chinese, scenario)
    }
}

/// The `<iframe>` snippet a course page pastes in.
pub fn iframe_html(src: &str, title: &str, width: u32, height: u32) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<iframe src=\"{}\" title=\"{}\" width=\"{width}\" height=\"{height}\" \
         style=\"border:1px solid #d8dde3;border-radius:8px;max-width:100%\" \
         loading=\"lazy\" allow=\"clipboard-write\"></iframe>",
        escape_attribute(src),
        escape_attribute(title),
    );
    html
}

/// Escapes text for a double-quoted HTML attribute.
pub fn escape_attribute(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '"' => escaped.push_str("&quot;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_pages_and_widgets_parse() {
        let page = PageUrl::parse("http://127.0.0.1:8080/queues?scenario=pi&seed=7#x").unwrap();
        assert_eq!(page.origin, "http://127.0.0.1:8080");
        assert_eq!(page.lab, Lab::Queues);
        assert_eq!(page.query, "scenario=pi&seed=7");
        assert_eq!(
            page.embed_src(),
            "http://127.0.0.1:8080/embed/queues?scenario=pi&seed=7"
        );
        let widget = PageUrl::parse("https://fanout.example/embed/shards/").unwrap();
        assert_eq!(widget.lab, Lab::Shards);
        assert_eq!(widget.embed_src(), "https://fanout.example/embed/shards");
    }

    #[test]
    fn other_urls_are_refused_with_a_reason() {
        assert_eq!(PageUrl::parse("/queues"), Err(EmbedError::NotAbsolute));
        assert_eq!(
            PageUrl::parse("ftp://x/queues"),
            Err(EmbedError::NotAbsolute)
        );
        assert_eq!(
            PageUrl::parse("http:///queues"),
            Err(EmbedError::NotAbsolute)
        );
        assert_eq!(PageUrl::parse("http://x/healthz"), Err(EmbedError::NotALab));
        assert_eq!(PageUrl::parse("http://x"), Err(EmbedError::NotALab));
        assert_eq!(
            PageUrl::parse("http://x/embed/nope"),
            Err(EmbedError::NotALab)
        );
    }

    #[test]
    fn titles_follow_the_language_and_scenario() {
        let page = PageUrl::parse("http://h/cache?lang=zh-CN").unwrap();
        assert_eq!(page.title(), "Fanout 缓存实验");
        let page = PageUrl::parse("http://h/queues?scenario=pipeline").unwrap();
        assert_eq!(page.title(), "Fanout queue lab: pipeline");
    }

    #[test]
    fn options_replace_or_remove_parameters() {
        let mut page =
            PageUrl::parse("http://h/queues?scenario=pi&controls=min&seed=7&controls=none")
                .unwrap();
        page.set_param("controls", Some("full"));
        page.set_param("autoplay", None);
        page.set_param("lang", Some("zh-CN"));
        assert_eq!(page.query, "scenario=pi&seed=7&controls=full&lang=zh-CN");
        page.set_param("scenario", None);
        page.set_param("seed", None);
        page.set_param("controls", None);
        page.set_param("lang", None);
        assert_eq!(page.embed_src(), "http://h/embed/queues");
    }

    #[test]
    fn an_inline_scenario_is_not_put_in_the_title() {
        let page = PageUrl::parse("http://h/queues?scenario=%7B%22name%22%3A%22x%22%7D").unwrap();
        assert_eq!(page.title(), "Fanout queue lab");
    }

    #[test]
    fn the_snippet_escapes_what_it_quotes() {
        let html = iframe_html("http://h/embed/queues?a=1&b=\"2\"", "A <b> title", 760, 520);
        assert!(html.starts_with("<iframe src=\"http://h/embed/queues?a=1&amp;b=&quot;2&quot;\""));
        assert!(html.contains("title=\"A &lt;b&gt; title\""));
        assert!(html.contains("width=\"760\" height=\"520\""));
        assert!(html.ends_with("</iframe>"));
    }
}
