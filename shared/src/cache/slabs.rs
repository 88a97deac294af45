//! memcached's memory model: slab classes. An item does not take its exact
//! size; it takes one chunk of the smallest class whose chunks fit it, and a
//! class gets memory one 1 MiB page at a time. This is why a "64 MiB" node
//! holds fewer items than 64 MiB divided by their size, why memory freed by
//! an expired item is reused only by items of the same class, and why a
//! change in item sizes can strand memory in the wrong class.
//!
//! The rules are memcached 1.6.18's (`slabs.c`, `items.c`): chunk sizes
//! start at the 48-byte item header plus `-n` (48), grow by `-f` (1.25),
//! each rounded up to 8 bytes, until half a page; the last class's chunk is
//! half a page (`slab_chunk_max`). A class that has no free chunk takes a
//! new page while the pages handed out stay within `-m`, and always gets
//! its first page even past it. Pure state: no IO, no clock.

use serde::{Deserialize, Serialize};

/// memcached's page: the unit of memory a class is given.
pub const PAGE_SIZE: u64 = 1 << 20;

/// The largest chunk (`slab_chunk_max`, half a page): larger items are
/// stored in several chunks of the largest class.
pub const CHUNK_SIZE_MAX: u32 = (PAGE_SIZE / 2) as u32;

/// `sizeof(item)` on a 64-bit build: the header every chunk starts with.
pub const ITEM_HEADER: u32 = 48;

/// Chunks are multiples of this (`CHUNK_ALIGN_BYTES`).
const CHUNK_ALIGN: u32 = 8;

/// `MAX_NUMBER_OF_SLAB_CLASSES`: classes are numbered 1 up to below this.
const MAX_CLASSES: usize = 64;

/// How many items at the tail of a class's LRU one pull looks at
/// (`lru_pull_tail`'s `tries`): expired ones are reclaimed on the way, the
/// first live one is evicted.
pub const PULL_TRIES: usize = 5;

/// How often an allocation pulls the tail before giving up with "out of
/// memory" (`do_item_alloc_pull`).
pub const ALLOC_TRIES: usize = 10;

/// A slab class number, 1 and up, as `stats slabs` prints it.
pub type ClassId = u8;

/// memcached's `-f` and `-n`: how the chunk sizes are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SlabSettings {
    /// `-f`: each class's chunk is this many times the previous one.
    pub growth_factor: f64,
    /// `-n`: bytes of key, value and suffix the smallest chunk holds on top
    /// of the item header.
    pub min_chunk: u32,
}

impl Default for SlabSettings {
    fn default() -> Self {
        SlabSettings {
            growth_factor: 1.25,
            min_chunk: 48,
        }
    }
}

/// Why a [`SlabSettings`] is refused (memcached refuses the same at start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadSlabSettings {
    /// `-f` must be greater than 1.
    FactorNotAboveOne,
    /// `-n` must be at least 1.
    MinChunkZero,
}

impl SlabSettings {
    pub fn check(self) -> Result<SlabSettings, BadSlabSettings> {
        if self.growth_factor.is_nan() || self.growth_factor <= 1.0 {
            return Err(BadSlabSettings::FactorNotAboveOne);
        }
        if self.min_chunk == 0 {
            return Err(BadSlabSettings::MinChunkZero);
        }
        Ok(self)
    }

    /// The chunk size of every class, class 1 first, as `slabs_init` lays
    /// them out (`memcached -vv` prints the same table).
    pub fn chunk_sizes(self) -> Vec<u32> {
        let mut sizes = Vec::new();
        let mut size = ITEM_HEADER + self.min_chunk;
        while sizes.len() + 1 < MAX_CLASSES - 1 {
            if f64::from(size) >= f64::from(CHUNK_SIZE_MAX) / self.growth_factor {
                break;
            }
            if !size.is_multiple_of(CHUNK_ALIGN) {
                size += CHUNK_ALIGN - size % CHUNK_ALIGN;
            }
            sizes.push(size);
            // memcached multiplies an unsigned int by a double: truncated.
            size = (f64::from(size) * self.growth_factor) as u32;
        }
        sizes.push(CHUNK_SIZE_MAX);
        sizes
    }
}

/// One class's memory (`stats slabs` and `stats items`); its counters are
/// [`Slabs::counters`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlabClass {
    pub chunk_size: u32,
    pub chunks_per_page: u32,
    pub total_pages: u64,
    pub used_chunks: u64,
    /// Items linked in this class (`items:N:number`).
    pub items: u64,
    /// Their exact sizes added up (`items:N:mem_requested`).
    pub mem_requested: u64,
    /// How long the last evicted item had gone unused (seconds since it
    /// last moved to the head): memcached's `evicted_time`. A time, not a
    /// count, so it is kept once rather than per lane.
    pub evicted_time: u64,
}

impl SlabClass {
    pub fn total_chunks(&self) -> u64 {
        self.total_pages * u64::from(self.chunks_per_page)
    }

    pub fn free_chunks(&self) -> u64 {
        self.total_chunks() - self.used_chunks
    }

    /// Whether `stats slabs` lists it (memcached lists classes with pages).
    pub fn is_active(&self) -> bool {
        self.total_pages > 0
    }
}

/// memcached's per-class counters, under its names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCounters {
    pub get_hits: u64,
    pub cmd_set: u64,
    pub delete_hits: u64,
    pub incr_hits: u64,
    pub decr_hits: u64,
    pub cas_hits: u64,
    pub cas_badval: u64,
    pub touch_hits: u64,
    pub evicted: u64,
    /// Evicted items that had an expiry time.
    pub evicted_nonzero: u64,
    pub evicted_unfetched: u64,
    pub reclaimed: u64,
    pub expired_unfetched: u64,
    /// Stores refused because no chunk could be found or freed.
    pub outofmemory: u64,
}

impl ClassCounters {
    /// Adds another lane's counts to these.
    fn add(&mut self, other: &ClassCounters) {
        // Named one by one, so a new counter cannot be left out of the sum.
        let ClassCounters {
            get_hits,
            cmd_set,
            delete_hits,
            incr_hits,
            decr_hits,
            cas_hits,
            cas_badval,
            touch_hits,
            evicted,
            evicted_nonzero,
            evicted_unfetched,
            reclaimed,
            expired_unfetched,
            outofmemory,
        } = other;
        self.get_hits += get_hits;
        self.cmd_set += cmd_set;
        self.delete_hits += delete_hits;
        self.incr_hits += incr_hits;
        self.decr_hits += decr_hits;
        self.cas_hits += cas_hits;
        self.cas_badval += cas_badval;
        self.touch_hits += touch_hits;
        self.evicted += evicted;
        self.evicted_nonzero += evicted_nonzero;
        self.evicted_unfetched += evicted_unfetched;
        self.reclaimed += reclaimed;
        self.expired_unfetched += expired_unfetched;
        self.outofmemory += outofmemory;
    }
}

/// Lanes beyond this share the last one (a caller numbers its lanes; the
/// server has one per worker thread, and one for everything else).
const MAX_LANES: usize = 64;

/// Spare counters between two lanes, so that no cache line holds counters
/// of two lanes (two of them are at least 128 bytes, a pair of lines).
const LANE_GAP: usize = 2;

/// Where an item of a given size goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub class: ClassId,
    /// Chunks it takes: one, or several of the largest class for an item
    /// over [`CHUNK_SIZE_MAX`].
    pub chunks: u64,
    /// The item's exact size (header, cas, key and NUL, suffix, value).
    pub item_bytes: u64,
    pub chunk_size: u32,
}

impl Placement {
    /// Bytes of its chunks the item leaves unused.
    pub fn wasted(&self) -> u64 {
        self.chunks * u64::from(self.chunk_size) - self.item_bytes
    }
}

/// The slab allocator of one node: classes, pages and chunks against the
/// memory limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Slabs {
    settings: SlabSettings,
    /// Index 0 is class 1.
    classes: Vec<SlabClass>,
    /// The per-class counters, one lane after another (each lane the
    /// classes' counters and [`LANE_GAP`] spare). memcached counts per
    /// worker thread (`threadlocal_stats`) and sums on `stats`: a hit's
    /// count written where the other thread's hits are written too moves
    /// that cache line from core to core at every read (measured in
    /// docs/BENCHMARKS.md, "Counting where the other thread counts").
    /// Whoever holds the cache says which lane it counts in
    /// ([`Slabs::use_lane`]); the browser's model uses lane 0 alone. A sum
    /// over the lanes is [`Slabs::counters`].
    counters: Vec<ClassCounters>,
    lane: usize,
    limit: u64,
    /// Pages handed out, in bytes (`total_malloced`).
    malloced: u64,
}

impl Slabs {
    pub fn new(settings: SlabSettings, limit: u64) -> Slabs {
        let classes: Vec<SlabClass> = settings
            .chunk_sizes()
            .into_iter()
            .map(|chunk_size| SlabClass {
                chunk_size,
                chunks_per_page: (PAGE_SIZE / u64::from(chunk_size)) as u32,
                ..SlabClass::default()
            })
            .collect();
        Slabs {
            settings,
            counters: vec![ClassCounters::default(); classes.len() + LANE_GAP],
            lane: 0,
            classes,
            limit,
            malloced: 0,
        }
    }

    pub fn settings(&self) -> SlabSettings {
        self.settings
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// memcached's `cache_memlimit`: pages already handed out stay where
    /// they are; only new pages are held to the new limit.
    pub fn set_limit(&mut self, limit: u64) {
        self.limit = limit;
    }

    pub fn total_malloced(&self) -> u64 {
        self.malloced
    }

    /// Every class, with its number.
    pub fn classes(&self) -> impl Iterator<Item = (ClassId, &SlabClass)> + '_ {
        self.classes
            .iter()
            .enumerate()
            .map(|(index, class)| (index as ClassId + 1, class))
    }

    pub fn class(&self, id: ClassId) -> &SlabClass {
        &self.classes[usize::from(id) - 1]
    }

    /// A class's counters: the sum of every lane's.
    pub fn counters(&self, id: ClassId) -> ClassCounters {
        let mut sum = ClassCounters::default();
        for lane in self.counters.chunks(self.lane_len()) {
            sum.add(&lane[usize::from(id) - 1]);
        }
        sum
    }

    /// A class's counters in the lane in use.
    pub fn counters_mut(&mut self, id: ClassId) -> &mut ClassCounters {
        let at = self.lane * self.lane_len() + usize::from(id) - 1;
        &mut self.counters[at]
    }

    /// Counts from now on in `lane` (see `counters`).
    pub fn use_lane(&mut self, lane: usize) {
        let lane = lane.min(MAX_LANES - 1);
        let needed = (lane + 1) * self.lane_len();
        if self.counters.len() < needed {
            self.counters.resize(needed, ClassCounters::default());
        }
        self.lane = lane;
    }

    fn lane_len(&self) -> usize {
        self.classes.len() + LANE_GAP
    }

    /// Records how long a class's last evicted item had gone unused.
    pub fn set_evicted_time(&mut self, id: ClassId, idle: u64) {
        self.classes[usize::from(id) - 1].evicted_time = idle;
    }

    /// The class and chunks for an item of `item_bytes` (`slabs_clsid`).
    pub fn place(&self, item_bytes: u64) -> Placement {
        // Chunk sizes rise class by class: a binary search, as every
        // store and unlink asks (an item keeps its class for the rest).
        let index = self
            .classes
            .partition_point(|class| u64::from(class.chunk_size) < item_bytes)
            .min(self.classes.len() - 1);
        let chunk_size = self.classes[index].chunk_size;
        Placement {
            class: index as ClassId + 1,
            chunks: item_bytes.div_ceil(u64::from(chunk_size)).max(1),
            item_bytes,
            chunk_size,
        }
    }

    /// Takes the chunks for `placement`, with new pages if the class has
    /// too few free chunks and the limit allows (`do_slabs_alloc`). False:
    /// the caller must free some in that class first.
    pub fn alloc(&mut self, placement: Placement) -> bool {
        let limit = self.limit;
        let malloced = &mut self.malloced;
        let class = &mut self.classes[usize::from(placement.class) - 1];
        while class.free_chunks() < placement.chunks {
            // `do_slabs_newslab`: a class's first page is never refused.
            if *malloced + PAGE_SIZE > limit && class.total_pages > 0 {
                return false;
            }
            class.total_pages += 1;
            *malloced += PAGE_SIZE;
        }
        class.used_chunks += placement.chunks;
        class.items += 1;
        class.mem_requested += placement.item_bytes;
        true
    }

    /// Counts an item in its class without pages or chunks: a cache below
    /// one page counts exact bytes, but `stats items` still sorts its
    /// items by class.
    pub fn count_unpaged(&mut self, placement: Placement) {
        let class = &mut self.classes[usize::from(placement.class) - 1];
        class.items += 1;
        class.mem_requested += placement.item_bytes;
    }

    /// Undoes [`Slabs::count_unpaged`].
    pub fn uncount_unpaged(&mut self, placement: Placement) {
        let class = &mut self.classes[usize::from(placement.class) - 1];
        class.items -= 1;
        class.mem_requested -= placement.item_bytes;
    }

    /// Gives an item's chunks back to its class's free list.
    pub fn free(&mut self, placement: Placement) {
        let class = &mut self.classes[usize::from(placement.class) - 1];
        class.used_chunks -= placement.chunks;
        class.items -= 1;
        class.mem_requested -= placement.item_bytes;
    }

    /// Forgets every item and page, keeping the counters (for re-filing
    /// the items under another accounting).
    pub fn release_all(&mut self) {
        for class in &mut self.classes {
            class.total_pages = 0;
            class.used_chunks = 0;
            class.items = 0;
            class.mem_requested = 0;
        }
        self.malloced = 0;
    }

    /// Forgets the items but keeps the pages with their classes, as
    /// `flush_all` does in memcached (the chunks go back to the free lists).
    pub fn free_all_items(&mut self) {
        for class in &mut self.classes {
            class.used_chunks = 0;
            class.items = 0;
            class.mem_requested = 0;
        }
    }

    /// Zeroes the counters (`stats reset`).
    pub fn reset_counters(&mut self) {
        self.counters.fill(ClassCounters::default());
        for class in &mut self.classes {
            class.evicted_time = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_classes_are_memcached_1_6_18s() {
        // `memcached -m 8 -f 1.25 -n 48 -vv` prints these.
        let sizes = SlabSettings::default().chunk_sizes();
        assert_eq!(sizes.len(), 39);
        assert_eq!(
            sizes[..12],
            [96, 120, 152, 192, 240, 304, 384, 480, 600, 752, 944, 1184]
        );
        assert_eq!(sizes[37], 394_840);
        assert_eq!(sizes[38], 524_288);
        let slabs = Slabs::new(SlabSettings::default(), 8 << 20);
        assert_eq!(slabs.class(4).chunks_per_page, 5461);
        assert_eq!(slabs.class(39).chunks_per_page, 2);
    }

    #[test]
    fn an_item_takes_the_smallest_chunk_that_fits() {
        let slabs = Slabs::new(SlabSettings::default(), 8 << 20);
        let placement = slabs.place(166);
        assert_eq!((placement.class, placement.chunk_size), (4, 192));
        assert_eq!(placement.wasted(), 26);
        assert_eq!(slabs.place(96).class, 1);
        assert_eq!(slabs.place(97).class, 2);
        let large = slabs.place(700_000);
        assert_eq!((large.class, large.chunks), (39, 2));
    }

    #[test]
    fn pages_stop_at_the_limit_but_a_class_always_gets_its_first() {
        let mut slabs = Slabs::new(SlabSettings::default(), 2 << 20);
        let small = slabs.place(166);
        let per_page = u64::from(slabs.class(4).chunks_per_page);
        for _ in 0..2 * per_page {
            assert!(slabs.alloc(small));
        }
        assert!(!slabs.alloc(small), "two pages are the limit");
        let large = slabs.place(1000);
        assert!(slabs.alloc(large), "a new class's first page");
        assert_eq!(slabs.total_malloced(), 3 << 20);
        slabs.free(small);
        assert!(slabs.alloc(small), "a freed chunk is reused in its class");
    }

    #[test]
    fn settings_memcached_refuses_are_refused() {
        let bad = SlabSettings {
            growth_factor: 1.0,
            min_chunk: 48,
        };
        assert_eq!(bad.check(), Err(BadSlabSettings::FactorNotAboveOne));
        let other = SlabSettings {
            growth_factor: 2.0,
            min_chunk: 0,
        };
        assert_eq!(other.check(), Err(BadSlabSettings::MinChunkZero));
    }
}
