//! The words that teach: each scheme's name and one line on what it does,
//! tied to the chapter, in every language of the interface.
//!
//! Names that are code (`hash() % N`, `md5 % N`, `crc32`) read the same in
//! every language; the explanations are translated.

use fanout_shared::shard::Scheme;

use crate::i18n::Lang;

/// What the lab says about each scheme. The fields are functions with a
/// `match` over every scheme, so a new scheme without words (or a language
/// missing one) does not compile.
#[derive(Debug)]
pub struct SchemeTexts {
    /// A heading for the scheme's card.
    pub title: fn(Scheme) -> &'static str,
    /// A short name for tables and selects.
    pub short_name: fn(Scheme) -> &'static str,
    /// One sentence: what the scheme does and what it costs.
    pub explanation: fn(Scheme) -> &'static str,
}

pub const EN: SchemeTexts = SchemeTexts {
    title: Scheme::title,
    short_name: |scheme| match scheme {
        Scheme::FirstLetter => "first letter",
        Scheme::BuiltinHash => "hash() % N",
        Scheme::Md5LastByte => "md5 % N",
        Scheme::Crc32 => "crc32 % N (python-memcached)",
        Scheme::Ketama => "ketama ring",
        Scheme::Rendezvous => "rendezvous (pymemcache)",
        Scheme::Jump => "jump hash",
    },
    explanation: |scheme| match scheme {
        Scheme::FirstLetter => {
            "The chapter's alpha_shard: a–f, g–m, n–s and t–z for four servers (the alphabet \
             cut evenly for other counts). Simple, but English words do not start evenly, so \
             some servers get far more keys."
        }
        Scheme::BuiltinHash => {
            "The chapter's hash_shard: Python's hash(word) % N. It spreads keys evenly, but \
             Python seeds hash() afresh in every process, so another client puts the same key \
             elsewhere (see the trap below)."
        }
        Scheme::Md5LastByte => {
            "The chapter's md5_shard: the last byte of md5(word) % N. Even, and every client in \
             every language agrees; but change N and most keys change server."
        }
        Scheme::Crc32 => {
            "What python-memcached, the chapter's client, does: 15 bits of crc32(key) % N. \
             Even and agreed on by every client, and mod N again."
        }
        Scheme::Ketama => {
            "Consistent hashing as libketama and libmemcached do it: each server puts 160 \
             points on a ring and a key goes to the next point clockwise, so a new server only \
             takes the arcs just before its own points."
        }
        Scheme::Rendezvous => {
            "pymemcache's HashClient: every server scores the key with \
             murmur3(\"host:port-key\") and the highest score wins, so only keys that now \
             prefer the new server move."
        }
        Scheme::Jump => {
            "Jump consistent hash (Google, 2014): a few arithmetic steps, no ring, near-perfect \
             balance and minimal moves; but servers are numbered, so only the last one can \
             leave cleanly."
        }
    },
};

pub const ZH: SchemeTexts = SchemeTexts {
    title: |scheme| match scheme {
        Scheme::FirstLetter => "按首字母",
        Scheme::BuiltinHash => "内置 hash()",
        Scheme::Md5LastByte => "md5 最后一个字节 mod N",
        Scheme::Crc32 => "python-memcached 的 crc32",
        Scheme::Ketama => "一致性散列（ketama 环）",
        Scheme::Rendezvous => "会合散列（pymemcache）",
        Scheme::Jump => "跳跃一致性散列",
    },
    short_name: |scheme| match scheme {
        Scheme::FirstLetter => "按首字母",
        Scheme::BuiltinHash => "hash() % N",
        Scheme::Md5LastByte => "md5 % N",
        Scheme::Crc32 => "crc32 % N (python-memcached)",
        Scheme::Ketama => "ketama 环",
        Scheme::Rendezvous => "会合散列（pymemcache）",
        Scheme::Jump => "跳跃散列",
    },
    explanation: |scheme| match scheme {
        Scheme::FirstLetter => {
            "本章的 alpha_shard：四台服务器时按 a–f、g–m、n–s、t–z 划分（其他台数时把字母表\
             平均切开）。很简单，但英语单词的首字母分布并不均匀，所以有些服务器分到的键多得多。"
        }
        Scheme::BuiltinHash => {
            "本章的 hash_shard：Python 的 hash(word) % N。键分布得很均匀，但 Python 在每个进程里\
             都重新为 hash() 选取种子，所以另一个客户端会把同一个键放到别的服务器上（见下面的陷阱）。"
        }
        Scheme::Md5LastByte => {
            "本章的 md5_shard：md5(word) 的最后一个字节 % N。分布均匀，任何语言写的任何客户端\
             都算得一样；但只要 N 一变，大多数键就会换服务器。"
        }
        Scheme::Crc32 => {
            "本章所用的客户端 python-memcached 的做法：取 crc32(key) 的 15 位再 % N。\
             分布均匀，所有客户端结果一致，但同样是对 N 取模。"
        }
        Scheme::Ketama => {
            "libketama 和 libmemcached 实现的一致性散列：每台服务器在环上放 160 个点，\
             键归顺时针方向遇到的下一个点，所以新服务器只接管紧挨在它自己各个点之前的那些弧段。"
        }
        Scheme::Rendezvous => {
            "pymemcache 的 HashClient：每台服务器用 murmur3(\"host:port-key\") 给键打分，\
             得分最高的服务器胜出，所以只有现在更偏向新服务器的那些键才会移动。"
        }
        Scheme::Jump => {
            "跳跃一致性散列（Google，2014 年）：几步算术运算，不需要环，均衡几乎完美，\
             移动的键也最少；但服务器是按编号排列的，只有最后一台能干净地离开。"
        }
    },
};

pub fn texts(lang: Lang) -> &'static SchemeTexts {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// The scheme's short name in `lang`.
pub fn short_name(lang: Lang, scheme: Scheme) -> &'static str {
    (texts(lang).short_name)(scheme)
}

#[cfg(test)]
mod tests {
    use fanout_shared::shard::Scheme;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::texts;
    use crate::i18n::Lang;

    #[wasm_bindgen_test]
    fn every_scheme_has_words_in_every_language() {
        for lang in Lang::ALL {
            let texts = texts(lang);
            for scheme in Scheme::ALL {
                assert!(!(texts.title)(scheme).is_empty());
                assert!(!(texts.short_name)(scheme).is_empty());
                assert!(!(texts.explanation)(scheme).is_empty());
            }
        }
        // Names that are code are the same in both languages.
        for scheme in [Scheme::BuiltinHash, Scheme::Md5LastByte, Scheme::Crc32] {
            assert_eq!(
                (texts(Lang::En).short_name)(scheme),
                (texts(Lang::Zh).short_name)(scheme)
            );
        }
    }
}
