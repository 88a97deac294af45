//! Every sentence of the shard lab, in English and Simplified Chinese (the
//! chapter's language): one [`Texts`] per language behind [`Texts::of`],
//! with a group per section (the schemes' names and lessons, the keys, the
//! balance charts, the moves, the ring, the trap, the live check), so a
//! missing translation is a compile error. The few facts the lab reports
//! (`keys::FetchError`, `live::Failure` …) are put into words from these
//! tables; the engine's own say themselves (`Say`).
//!
//! Names that are code (`hash() % N`, `md5 % N`, `crc32`) read the same in
//! every language; the explanations are translated.

use fanout_shared::shard::Scheme;

use super::model::thousands;
use crate::i18n::Lang;

/// Every sentence of the shard lab: its frame and servers panel here,
/// each section's words in a group of its own.
#[derive(Debug)]
pub struct Texts {
    pub title: &'static str,
    pub lede: &'static str,
    pub offline_ok: &'static str,
    pub servers_title: &'static str,
    pub servers_count: &'static str,
    pub fewer: &'static str,
    pub more: &'static str,
    pub number_of_servers: &'static str,
    pub change_legend: &'static str,
    /// " a server joins (4 → 5)".
    pub joins: fn(usize) -> String,
    pub leaves: &'static str,
    pub which_leaves: &'static str,
    /// An option of the "which server leaves" select: number and address.
    pub server_option: fn(usize, &str) -> String,
    pub schemes: Schemes,
    pub keys: Keys,
    pub balance: Balance,
    pub moves: Moves,
    pub ring: Ring,
    pub trap: Trap,
    pub live: Live,
}

/// What the lab says about each scheme. The fields are functions with a
/// `match` over every scheme, so a new scheme without words (or a language
/// missing one) does not compile.
#[derive(Debug)]
pub struct Schemes {
    /// A heading for the scheme's card.
    pub title: fn(Scheme) -> &'static str,
    /// A short name for tables and selects.
    pub short_name: fn(Scheme) -> &'static str,
    /// One sentence: what the scheme does and what it costs.
    pub explanation: fn(Scheme) -> &'static str,
}

/// Strings of the keys panel.
#[derive(Debug)]
pub struct Keys {
    pub title: &'static str,
    pub builtin: &'static str,
    pub loading: fn(&str) -> String,
    pub load_failed: fn(&str) -> String,
    pub network: &'static str,
    pub not_http: &'static str,
    pub unreadable: &'static str,
    pub pasted: &'static str,
    pub file: fn(&str) -> String,
    /// Distinct keys, words read when repeats were merged, and the source.
    pub summary: fn(u64, Option<u64>, &str) -> String,
    pub nothing_typed: &'static str,
    pub no_words: fn(&str) -> String,
    pub not_text: fn(&str) -> String,
    pub own_words: &'static str,
    pub paste_label: &'static str,
    pub place_these: &'static str,
    pub upload: &'static str,
    pub lowercase: &'static str,
    pub back: &'static str,
}

/// Strings of the balance section.
#[derive(Debug)]
pub struct Balance {
    pub title: &'static str,
    pub hint: &'static str,
    /// The chart's label: the scheme's title and the counts.
    pub chart_label: fn(&str, &str) -> String,
    /// A bar's tooltip: server number, address, keys.
    pub bar_tip: fn(usize, &str, u64) -> String,
    /// "Busiest server: 1.23× the mean · standard deviation 456 keys (1.2% of
    /// the mean)", around the two figures in bold.
    pub busiest: &'static str,
    pub the_mean_std_dev: &'static str,
    /// After the standard deviation: the same as a share of the mean.
    pub keys_of_mean: fn(&str) -> String,
    pub as_table: &'static str,
    pub server: &'static str,
    pub keys: &'static str,
    pub share: &'static str,
}

/// Strings of the moves section.
#[derive(Debug)]
pub struct Moves {
    pub title: &'static str,
    /// n servers before; the ideal share that moves.
    pub joins: fn(usize, &str) -> String,
    /// Number of the server that leaves, n before, the ideal share.
    pub leaves: fn(usize, usize, &str) -> String,
    pub miss_hint: &'static str,
    pub scheme: &'static str,
    pub share_moves: &'static str,
    pub keys_move: &'static str,
    /// After the keys that move: " of 73,697".
    pub of_total: fn(&str) -> String,
    pub most_move: &'static str,
    pub few_move: &'static str,
    pub watch: &'static str,
    pub scheme_label: &'static str,
    pub show_before: &'static str,
    pub show_after: &'static str,
    pub key_moves: fn(&str) -> String,
    pub key_stays: fn(&str) -> String,
    /// Moved, sample size, scheme: the chart's label.
    pub flow_label: fn(usize, usize, &str) -> String,
    /// Sample size, moved, stayed: the sentence under the chart.
    pub flow_hint: fn(usize, usize, usize) -> String,
}

/// Strings of the ring section.
#[derive(Debug)]
pub struct Ring {
    pub title: &'static str,
    pub hint: &'static str,
    pub points_label: &'static str,
    /// The option for libmemcached's 160 points.
    pub default_points: &'static str,
    pub showing_before: &'static str,
    pub showing_after: &'static str,
    /// Servers and points in all: the drawing's label.
    pub ring_label: fn(usize, usize) -> String,
    /// After a server that joined, in the legend.
    pub new_note: &'static str,
    pub caption: &'static str,
    pub server: &'static str,
    pub ring: &'static str,
    pub keys: &'static str,
}

/// Strings of the trap section.
#[derive(Debug)]
pub struct Trap {
    pub title: &'static str,
    pub hint: &'static str,
    pub process: fn(&str) -> String,
    pub restart: fn(&str) -> String,
    /// Keys that differ and keys in all, in bold.
    pub differ: fn(u64, u64) -> String,
    /// The rest of the sentence: the share that differs, and N.
    pub differ_rest: fn(&str, usize) -> String,
    pub one_server: &'static str,
    pub key: &'static str,
    pub a_server: &'static str,
    pub b_server: &'static str,
    pub same: &'static str,
    pub yes_same: &'static str,
    pub no_different: &'static str,
    pub fix: &'static str,
}

/// Strings of the live check.
#[derive(Debug)]
pub struct Live {
    pub title: &'static str,
    pub what: &'static str,
    pub hint: &'static str,
    pub legend: &'static str,
    pub scheme: &'static str,
    pub keys: &'static str,
    pub place: &'static str,
    pub counting: &'static str,
    /// Keys, nodes, keys answered so far.
    pub storing: fn(usize, usize, usize) -> String,
    pub recounting: &'static str,
    pub no_keys: &'static str,
    pub no_nodes: &'static str,
    pub cannot_place: fn(&str) -> String,
    pub refused: fn(&str) -> String,
    pub disconnected: &'static str,
    pub unexpected: &'static str,
    /// Keys stored, prefix, minutes to expiry, nodes, scheme.
    pub stored: fn(usize, &str, i64, usize, &str) -> String,
    pub refused_some: fn(usize) -> String,
    pub skipped_some: fn(usize) -> String,
    pub end_of_sentence: &'static str,
    pub all_match: &'static str,
    pub some_differ: &'static str,
    pub node: &'static str,
    pub predicted: &'static str,
    pub counted: &'static str,
    pub same: &'static str,
    pub yes_same: &'static str,
    pub no_different: &'static str,
}

pub const EN: Texts = Texts {
    title: "Shard lab",
    lede: "Partitioning keys over servers: first letters are lopsided, a good hash spreads \
           keys evenly, and every client must compute the same placement. Compare the \
           chapter's schemes with what real clients use, and see what moves when a server \
           joins or leaves.",
    offline_ok: "Placement is computed in your browser; only the live check needs the server.",
    servers_title: "2. The servers",
    servers_count: "Servers (1–16)",
    fewer: "One server fewer",
    more: "One server more",
    number_of_servers: "Number of servers",
    change_legend: "Then change them (for section 4 and the ring):",
    joins: |n| format!(" a server joins ({n} → {})", n + 1),
    leaves: " a server leaves:",
    which_leaves: "Which server leaves",
    server_option: |number, name| format!("server {number} ({name})"),
    schemes: Schemes {
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
    },
    keys: Keys {
        title: "1. The keys",
        builtin: "the SCOWL English word list (Debian's /usr/share/dict/words, the file the \
                  chapter reads)",
        loading: |source| format!("Loading {source}…"),
        load_failed: |error| {
            format!("Could not load the word list ({error}). Paste or upload your own words below.")
        },
        network: "the network request failed",
        not_http: "not an HTTP response",
        unreadable: "unreadable body",
        pasted: "your pasted words",
        file: |name| format!("your file {name}"),
        summary: |keys, words_read, source| {
            let detail = match words_read {
                Some(words) => format!(
                    " ({} words read; repeats after lower-casing count once)",
                    thousands(words)
                ),
                None => String::new(),
            };
            format!("{} distinct keys{detail} from {source}.", thousands(keys))
        },
        nothing_typed: "Type or paste some words first.",
        no_words: |name| format!("{name} holds no words."),
        not_text: |name| format!("{name} could not be read as text."),
        own_words: "Use your own words",
        paste_label: "Paste words, separated by spaces or new lines:",
        place_these: "Place these words",
        upload: "…or upload a text file: ",
        lowercase: " lower-case every word first, as the chapter does",
        back: "Back to the English word list",
    },
    balance: Balance {
        title: "3. Balance: keys per server",
        hint: "Each bar is one server; all charts share one scale. The dashed line is the mean: \
               a perfect scheme puts every bar on it.",
        chart_label: |scheme, counts| format!("Keys per server under {scheme}: {counts}"),
        bar_tip: |number, name, keys| format!("server {number} ({name}): {} keys", thousands(keys)),
        busiest: "Busiest server: ",
        the_mean_std_dev: " the mean · standard deviation ",
        keys_of_mean: |share| format!(" keys ({share} of the mean)"),
        as_table: "Counts as a table",
        server: "Server",
        keys: "Keys",
        share: "Share",
    },
    moves: Moves {
        title: "4. A server joins or leaves: which keys move?",
        joins: |n, ideal| {
            format!(
                "A server joins: {n} → {} servers. Ideally only the keys the new server takes move, \
                 1/{} = {ideal}.",
                n + 1,
                n + 1
            )
        },
        leaves: |number, n, ideal| {
            format!(
                "Server {number} leaves: {n} → {} servers. Ideally only the keys it held move, \
                 about 1/{n} = {ideal}.",
                n - 1
            )
        },
        miss_hint: "A key that moves is a cache miss until it is stored again on its new server: \
                    moving most keys at once is like restarting the whole cache.",
        scheme: "Scheme",
        share_moves: "Share that moves",
        keys_move: "Keys that move",
        of_total: |total| format!(" of {total}"),
        most_move: "most keys move",
        few_move: "few keys move",
        watch: "Watch the keys move",
        scheme_label: "Scheme: ",
        show_before: "Show before the change",
        show_after: "Show after the change",
        key_moves: |word| format!("{word}: moves"),
        key_stays: |word| format!("{word}: stays"),
        flow_label: |moved, total, scheme| {
            format!("{moved} of {total} sample keys change server under {scheme}")
        },
        flow_hint: |total, moved, stayed| {
            format!(
                "Of {total} sample keys, {moved} change server (circles) and {stayed} stay \
                 (squares). Column headings are server numbers; + joins, − leaves."
            )
        },
    },
    ring: Ring {
        title: "5. The consistent-hashing ring",
        hint: "Each tick is a point a server placed on the ring by hashing \"host:port-i\" with md5; \
               each dot inside is a key at md5(key). A key belongs to the first tick clockwise. \
               Even 160 points per server leave the shares a few percent apart; try fewer points \
               to see the ring turn lopsided. Pick a server below to see only its points.",
        points_label: "Points per server: ",
        default_points: "160 (libmemcached's default)",
        showing_before: "Showing the ring before the change.",
        showing_after: "Showing the ring after the change.",
        ring_label: |servers, points| {
            format!(
                "The ketama ring: {servers} servers, {points} points in all; the table beside it \
                 gives each server's share"
            )
        },
        new_note: " (new: long ticks)",
        caption: "Share of the ring and keys per server",
        server: "Server (press to show only its points)",
        ring: "Ring",
        keys: "Keys",
    },
    trap: Trap {
        title: "6. The trap: Python's hash() is different in every process",
        hint: "The chapter's hash_shard works inside one program. But since Python 3.3 each process \
               picks a secret random key for hash() of strings at start-up, so two web servers \
               sharing the cache place the same word on different servers: one stores it where \
               the other never looks. Both run CPython 3.11's hash (SipHash-1-3) exactly.",
        process: |name| format!("Client process {name}"),
        restart: |name| format!("Restart {name} (new random seed)"),
        differ: |differ, total| format!("{} of {} keys", thousands(differ), thousands(total)),
        differ_rest: |share, n| {
            format!(" ({share}) are on a different server for A than for B, with {n} servers.")
        },
        one_server: " With one server there is nowhere else to go; add servers.",
        key: "Key",
        a_server: "A: server",
        b_server: "B: server",
        same: "Same?",
        yes_same: "✓ same",
        no_different: "✗ different",
        fix: "Give both processes the same seed, or 0 (randomisation off), and they agree: that is \
              why deployments that shard with hash() pin PYTHONHASHSEED. The sturdier fix is the \
              chapter's: a public hash such as md5, which every client computes alike.",
    },
    live: Live {
        title: "7. Live check on the server's cache nodes",
        what: "store keys on the memcached nodes",
        hint: "Stores a sample of the keys on the server's real memcached nodes, each on the node \
               the scheme picks from the nodes' addresses, then asks every node how many items it \
               gained. The counts must equal the prediction: any client using the same scheme and \
               the same server list would put each key in the same place.",
        legend: "Place keys on the server's nodes",
        scheme: "Scheme: ",
        keys: "Keys: ",
        place: "Place and count",
        counting: "Asking the nodes for their item counts…",
        storing: |keys, nodes, done| {
            format!(
                "Storing {} keys on {nodes} nodes… ({} answered)",
                thousands(keys as u64),
                thousands(done as u64)
            )
        },
        recounting: "Reading the counts back…",
        no_keys: "There are no keys to place.",
        no_nodes: "The server lists no cache nodes.",
        cannot_place: |error| format!("Cannot place keys on these nodes: {error}"),
        refused: |message| format!("The server refused: {message}"),
        disconnected: "The connection to the server closed before the check finished.",
        unexpected: "The server answered with a frame the check did not expect.",
        stored: |stored, prefix, minutes, nodes, scheme| {
            format!(
                "Stored {} keys (prefix {prefix}, expiring in {minutes} minutes) on {nodes} nodes \
                 with {scheme}",
                thousands(stored as u64)
            )
        },
        refused_some: |n| format!("; {} refused", thousands(n as u64)),
        skipped_some: |n| {
            format!(
                "; {} skipped (not valid memcached keys)",
                thousands(n as u64)
            )
        },
        end_of_sentence: ". ",
        all_match: "Every node holds exactly the predicted number.",
        some_differ: "Some counts differ: other clients may have stored or evicted items meanwhile; \
                      run it again.",
        node: "Node",
        predicted: "Predicted",
        counted: "Counted",
        same: "Same?",
        yes_same: "✓ same",
        no_different: "✗ different",
    },
};

pub const ZH: Texts = Texts {
    title: "分片实验",
    lede: "把键分区到多台服务器上：按首字母分配很不均匀，好的散列能把键均匀地分散开，\
           而且每个客户端都必须算出相同的放置结果。比较本章的几种方案和真实客户端的做法，\
           看看服务器加入或离开时哪些键会移动。",
    offline_ok: "键的放置在你的浏览器里计算；只有实时检验需要服务器。",
    servers_title: "2. 服务器",
    servers_count: "服务器（1–16 台）",
    fewer: "减少一台服务器",
    more: "增加一台服务器",
    number_of_servers: "服务器台数",
    change_legend: "然后改变服务器（用于第 4 节和散列环）：",
    joins: |n| format!(" 加入一台服务器（{n} → {}）", n + 1),
    leaves: " 移除一台服务器：",
    which_leaves: "移除哪台服务器",
    server_option: |number, name| format!("服务器 {number}（{name}）"),
    schemes: Schemes {
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
    },
    keys: Keys {
        title: "1. 键",
        builtin: "英语单词表 SCOWL（Debian 的 /usr/share/dict/words，就是本章读取的那个文件）",
        loading: |source| format!("正在加载{source}…"),
        load_failed: |error| format!("无法加载单词表（{error}）。请在下面粘贴或上传你自己的单词。"),
        network: "网络请求失败",
        not_http: "不是 HTTP 响应",
        unreadable: "无法读取响应内容",
        pasted: "你粘贴的单词",
        file: |name| format!("你的文件 {name}"),
        summary: |keys, words_read, source| {
            let detail = match words_read {
                Some(words) => format!(
                    "（读入 {} 个单词；转成小写后重复的单词只算一次）",
                    thousands(words)
                ),
                None => String::new(),
            };
            format!("{} 个不同的键{detail}，来自{source}。", thousands(keys))
        },
        nothing_typed: "请先输入或粘贴一些单词。",
        no_words: |name| format!("{name} 里没有单词。"),
        not_text: |name| format!("无法把 {name} 当作文本读取。"),
        own_words: "使用你自己的单词",
        paste_label: "粘贴单词，用空格或换行分隔：",
        place_these: "放置这些单词",
        upload: "……或上传一个文本文件：",
        lowercase: " 先把每个单词都转成小写，和本章的做法一样",
        back: "换回英语单词表",
    },
    balance: Balance {
        title: "3. 均衡：每台服务器上的键数",
        hint: "每根柱子代表一台服务器；所有图表使用同一个刻度。虚线是平均值：\
               完美的方案会让每根柱子都正好齐平于虚线。",
        chart_label: |scheme, counts| format!("每台服务器上的键数（{scheme}）：{counts}"),
        bar_tip: |number, name, keys| {
            format!("服务器 {number}（{name}）：{} 个键", thousands(keys))
        },
        busiest: "最忙的服务器：平均值的 ",
        the_mean_std_dev: " · 标准差 ",
        keys_of_mean: |share| format!(" 个键（平均值的 {share}）"),
        as_table: "以表格显示键数",
        server: "服务器",
        keys: "键数",
        share: "占比",
    },
    moves: Moves {
        title: "4. 服务器加入或离开：哪些键会移动？",
        joins: |n, ideal| {
            format!(
                "加入一台服务器：{n} → {} 台。理想情况下只有被新服务器接管的键才移动，\
                 即 1/{} = {ideal}。",
                n + 1,
                n + 1
            )
        },
        leaves: |number, n, ideal| {
            format!(
                "服务器 {number} 离开：{n} → {} 台。理想情况下只有它原来存着的键才移动，\
                 约 1/{n} = {ideal}。",
                n - 1
            )
        },
        miss_hint: "移动了的键在新服务器上重新存入之前，每次读取都会缓存未命中：\
                    一下子移动大多数键，就像把整个缓存重启了一遍。",
        scheme: "方案",
        share_moves: "移动的比例",
        keys_move: "移动的键数",
        of_total: |total| format!(" / {total}"),
        most_move: "大多数键都移动",
        few_move: "只有少数键移动",
        watch: "观看键的移动",
        scheme_label: "方案：",
        show_before: "显示变化之前",
        show_after: "显示变化之后",
        key_moves: |word| format!("{word}：移动"),
        key_stays: |word| format!("{word}：不动"),
        flow_label: |moved, total, scheme| {
            format!("{scheme}：{total} 个样本键中有 {moved} 个换了服务器")
        },
        flow_hint: |total, moved, stayed| {
            format!(
                "{total} 个样本键中，{moved} 个换了服务器（圆点），{stayed} 个留在原处（方块）。\
                 列标题是服务器编号；+ 表示加入，− 表示离开。"
            )
        },
    },
    ring: Ring {
        title: "5. 一致性散列环",
        hint: "每个刻度是一台服务器用 md5 散列 \"host:port-i\" 后放到环上的一个点；\
               环内的每个圆点是位于 md5(key) 处的一个键。键属于顺时针方向遇到的第一个刻度。\
               即使每台服务器放 160 个点，各服务器的份额仍会相差几个百分点；试试更少的点，\
               看环变得多不均匀。在下面选一台服务器，就只显示它的点。",
        points_label: "每台服务器的点数：",
        default_points: "160（libmemcached 的默认值）",
        showing_before: "显示变化之前的环。",
        showing_after: "显示变化之后的环。",
        ring_label: |servers, points| {
            format!(
                "ketama 环：{servers} 台服务器，共 {points} 个点；旁边的表格列出每台服务器的份额"
            )
        },
        new_note: "（新加入：长刻度）",
        caption: "每台服务器在环上的份额和键数",
        server: "服务器（按下只显示它的点）",
        ring: "环上份额",
        keys: "键数",
    },
    trap: Trap {
        title: "6. 陷阱：Python 的 hash() 在每个进程里都不一样",
        hint: "本章的 hash_shard 在同一个程序里没有问题。但从 Python 3.3 起，每个进程启动时都会为\
               字符串的 hash() 随机选一个秘密密钥，所以共用缓存的两台 Web 服务器会把同一个单词放到\
               不同的服务器上：一台把它存到的地方，另一台根本不会去找。这里的两个进程都精确地\
               运行 CPython 3.11 的散列算法（SipHash-1-3）。",
        process: |name| format!("客户端进程 {name}"),
        restart: |name| format!("重启 {name}（新的随机种子）"),
        differ: |differ, total| format!("{} 个键中有 {} 个", thousands(total), thousands(differ)),
        differ_rest: |share, n| {
            format!("（{share}）在 A 和 B 看来位于不同的服务器上（共 {n} 台服务器）。")
        },
        one_server: "只有一台服务器时，键无处可去；请增加服务器。",
        key: "键",
        a_server: "A：服务器",
        b_server: "B：服务器",
        same: "相同？",
        yes_same: "✓ 相同",
        no_different: "✗ 不同",
        fix: "给两个进程相同的种子，或者设为 0（关闭随机化），它们就会一致：这就是用 hash() 分片的\
              部署要固定 PYTHONHASHSEED 的原因。更可靠的办法是本章的做法：使用 md5 这样的公开散列\
              算法，每个客户端都算得一样。",
    },
    live: Live {
        title: "7. 在服务器的缓存节点上实时检验",
        what: "向 memcached 节点写入键",
        hint: "把一部分键存到服务器上真实的 memcached 节点里，每个键存到方案根据节点地址选出的节点，\
               然后询问每个节点多了多少条目。计数必须与预测相符：任何使用相同方案和相同服务器列表的\
               客户端，都会把每个键放在同一个地方。",
        legend: "把键放到服务器的节点上",
        scheme: "方案：",
        keys: "键数：",
        place: "放置并计数",
        counting: "正在询问各节点的条目数…",
        storing: |keys, nodes, done| {
            format!(
                "正在把 {} 个键存到 {nodes} 个节点上…（已收到 {} 个回复）",
                thousands(keys as u64),
                thousands(done as u64)
            )
        },
        recounting: "正在读回各节点的条目数…",
        no_keys: "没有可以放置的键。",
        no_nodes: "服务器没有列出任何缓存节点。",
        cannot_place: |error| format!("无法把键放到这些节点上：{error}"),
        refused: |message| format!("服务器拒绝了请求：{message}"),
        disconnected: "检验完成之前，与服务器的连接断开了。",
        unexpected: "服务器的回复出乎检验的预料。",
        stored: |stored, prefix, minutes, nodes, scheme| {
            format!(
                "用 {scheme} 在 {nodes} 个节点上存了 {} 个键（前缀 {prefix}，{minutes} 分钟后过期）",
                thousands(stored as u64)
            )
        },
        refused_some: |n| format!("；{} 个被拒绝", thousands(n as u64)),
        skipped_some: |n| {
            format!(
                "；跳过 {} 个（不是合法的 memcached 键）",
                thousands(n as u64)
            )
        },
        end_of_sentence: "。",
        all_match: "每个节点上的数量都与预测完全相同。",
        some_differ: "有些计数不同：可能有其他客户端同时存入或淘汰了条目；请再运行一次。",
        node: "节点",
        predicted: "预测",
        counted: "实测",
        same: "相同？",
        yes_same: "✓ 相同",
        no_different: "✗ 不同",
    },
};

impl Texts {
    pub fn of(lang: Lang) -> &'static Texts {
        match lang {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }
}

/// The scheme's short name in `lang`.
pub fn short_name(lang: Lang, scheme: Scheme) -> &'static str {
    (Texts::of(lang).schemes.short_name)(scheme)
}

#[cfg(test)]
mod tests {
    use fanout_shared::shard::Scheme;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::Texts;
    use crate::i18n::Lang;

    #[wasm_bindgen_test]
    fn every_scheme_has_words_in_every_language() {
        for lang in Lang::ALL {
            let texts = &Texts::of(lang).schemes;
            for scheme in Scheme::ALL {
                assert!(!(texts.title)(scheme).is_empty());
                assert!(!(texts.short_name)(scheme).is_empty());
                assert!(!(texts.explanation)(scheme).is_empty());
            }
        }
        // Names that are code are the same in both languages.
        for scheme in [Scheme::BuiltinHash, Scheme::Md5LastByte, Scheme::Crc32] {
            assert_eq!(
                (Texts::of(Lang::En).schemes.short_name)(scheme),
                (Texts::of(Lang::Zh).schemes.short_name)(scheme)
            );
        }
    }
}
