//! The words that teach: one line per scheme, tied to the chapter.

use fanout_shared::shard::Scheme;

/// One sentence: what the scheme does and what it costs.
pub fn explanation(scheme: Scheme) -> &'static str {
    match scheme {
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
    }
}

/// A short name for tables and selects.
pub fn short_name(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::FirstLetter => "first letter",
        Scheme::BuiltinHash => "hash() % N",
        Scheme::Md5LastByte => "md5 % N",
        Scheme::Crc32 => "crc32 % N (python-memcached)",
        Scheme::Ketama => "ketama ring",
        Scheme::Rendezvous => "rendezvous (pymemcache)",
        Scheme::Jump => "jump hash",
    }
}
