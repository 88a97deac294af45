//! The languages Fanout speaks: English and Simplified Chinese (the
//! chapter's language).
//!
//! The engine reports facts as typed values (captions, refusals, node
//! states, drop reasons); each fact family says itself through [`Say`], one
//! exhaustive `match` per language beside the other, so a fact added
//! without its Chinese sentence does not compile. The browser, the server's
//! English `message` fields and `fanout sim --lang` all read the same
//! tables.

use serde::{Deserialize, Serialize};

/// A language the interface is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The BCP 47 tag used in `?lang=`, `<html lang>` and `--lang`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The language's own name, for a switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "中文",
        }
    }

    /// Reads a tag loosely: `zh`, `zh-CN`, `zh-Hans`, `en-GB` …
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }
}

/// A fact that can be put into words in every [`Lang`].
///
/// Implementations match on `lang` and call one function per language,
/// each an exhaustive `match` over the fact, so the two tables sit side by
/// side and neither can miss a case.
pub trait Say {
    fn say(&self, lang: Lang) -> String;

    /// The English sentence: what `message` fields on the wire and the
    /// command-line tools print.
    fn english(&self) -> String {
        self.say(Lang::En)
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn tags_are_read_loosely() {
        assert_eq!(Lang::from_tag("zh"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("zh-Hans-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("en_GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
        for lang in Lang::ALL {
            assert_eq!(Lang::from_tag(lang.code()), Some(lang));
        }
    }
}
