//! The cache lab's slab lesson, on the model in the learner's browser: a
//! cache with memcached's memory model ([`super::slabs`], the one the
//! server's nodes run), items of a size the learner picks, and the facts
//! the page puts into words: which class an item lands in and what it
//! wastes per chunk, the pages each class holds, and the stranded-memory
//! scenario (small items take every page, then large ones evict each other
//! beside free small chunks). Pure: no clock, no IO.

use std::ops::RangeInclusive;

use super::{
    Cache, StoreMode,
    slabs::{ClassId, PAGE_SIZE, Placement, SlabSettings},
};

/// The lesson's memory limit unless the learner picks another (`-m`).
pub const DEFAULT_MEMORY_MIB: u64 = 8;
/// The limits the learner may pick, in MiB.
pub const MEMORY_MIB: RangeInclusive<u64> = 1..=64;
/// The growth factors the learner may pick (`-f`).
pub const GROWTH_FACTOR: RangeInclusive<f64> = 1.05..=4.0;
/// Value sizes the learner may store: up to what fits memcached's 1 MiB
/// item with its key and header.
pub const VALUE_BYTES: RangeInclusive<u64> = 1..=1_000_000;
/// How many items one click stores.
pub const COUNT: RangeInclusive<u64> = 1..=100_000;

/// The small and large values of the stranded-memory scenario.
pub const STRANDED_SMALL_VALUE: u64 = 100;
pub const STRANDED_LARGE_VALUE: u64 = 2_000;
/// How many large items the scenario stores.
pub const STRANDED_LARGE_COUNT: u64 = 2_000;

/// The lesson's items never expire; the time only has to be fixed.
const NOW: u64 = 1_700_000_000;
/// The lesson's own connection number (its events go nowhere).
const CONN: u64 = 0;

/// Why the lesson refuses a request: a setting outside its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Memory,
    GrowthFactor,
    ValueBytes,
    Count,
}

/// What one store step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub key_bytes: u64,
    pub value_bytes: u64,
    pub count: u64,
    /// Where each of these items went: class, chunk size, bytes wasted.
    pub placement: Placement,
    /// Items this step evicted (all from the same class).
    pub evicted: u64,
    /// Pages the class got during this step.
    pub new_pages: u64,
    /// How many such items the limit would hold if it were counted in
    /// exact bytes: limit ÷ item size.
    pub naive_capacity: u64,
    /// How many it holds in chunks, if every page went to their class.
    pub chunk_capacity: u64,
}

/// One slab class that has pages, as the page's table shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClassRow {
    pub class: ClassId,
    pub chunk_size: u32,
    pub chunks_per_page: u32,
    pub pages: u64,
    pub used_chunks: u64,
    pub free_chunks: u64,
    pub items: u64,
    pub evicted: u64,
    /// Bytes of the used chunks the items do not fill.
    pub wasted: u64,
}

/// The whole cache in a few figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub limit: u64,
    pub malloced: u64,
    pub items: u64,
    pub evictions: u64,
    /// The items' exact sizes added up.
    pub requested: u64,
    /// Bytes inside used chunks that items leave empty.
    pub wasted: u64,
    /// Bytes of free chunks, class by class: usable only by their class.
    pub free: u64,
}

/// What the stranded-memory scenario did, step by step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stranded {
    /// Small items, past the limit.
    pub small: Stored,
    /// Small items deleted (every other one), freeing chunks of their class.
    pub deleted: u64,
    /// Bytes those free small chunks add up to.
    pub small_free_bytes: u64,
    /// Then large items: one page of their own, and evictions.
    pub large: Stored,
}

/// The lesson's cache and where its keys have got to.
#[derive(Debug, Clone)]
pub struct SlabLab {
    cache: Cache,
    next_key: u64,
}

impl SlabLab {
    pub fn new(memory_mib: u64, growth_factor: f64) -> Result<SlabLab, Refusal> {
        if !MEMORY_MIB.contains(&memory_mib) {
            return Err(Refusal::Memory);
        }
        if !GROWTH_FACTOR.contains(&growth_factor) {
            return Err(Refusal::GrowthFactor);
        }
        let settings = SlabSettings {
            growth_factor,
            ..SlabSettings::default()
        };
        Ok(SlabLab {
            cache: Cache::with_slabs(memory_mib * PAGE_SIZE, settings),
            next_key: 0,
        })
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    /// Stores `count` new items with values of `value_bytes`.
    pub fn store(&mut self, value_bytes: u64, count: u64) -> Result<Stored, Refusal> {
        if !VALUE_BYTES.contains(&value_bytes) {
            return Err(Refusal::ValueBytes);
        }
        if !COUNT.contains(&count) {
            return Err(Refusal::Count);
        }
        let value = vec![b'v'; value_bytes as usize];
        let evictions_before = self.cache.stats().evictions;
        let mut key_bytes = 0;
        let mut placement = None;
        let mut pages_before = None;
        for _ in 0..count {
            let key = format!("k{:07}", self.next_key);
            self.next_key += 1;
            let placed = self.cache.placement(key.len(), value.len(), 0);
            pages_before.get_or_insert(self.cache.slabs().class(placed.class).total_pages);
            key_bytes = key.len() as u64;
            placement = Some(placed);
            self.cache
                .store(StoreMode::Set, key.as_bytes(), &value, 0, 0, NOW, CONN);
        }
        let placement = placement.expect("at least one item");
        let class = self.cache.slabs().class(placement.class);
        let limit = self.cache.limit();
        Ok(Stored {
            key_bytes,
            value_bytes,
            count,
            placement,
            evicted: self.cache.stats().evictions - evictions_before,
            new_pages: class.total_pages - pages_before.unwrap_or(0),
            naive_capacity: limit / placement.item_bytes,
            chunk_capacity: limit / PAGE_SIZE * u64::from(class.chunks_per_page) / placement.chunks,
        })
    }

    /// Deletes every other item of `class`, freeing chunks there only.
    pub fn delete_every_other(&mut self, class: ClassId) -> u64 {
        let keys: Vec<Vec<u8>> = self
            .cache
            .class_keys(class)
            .step_by(2)
            .map(<[u8]>::to_vec)
            .collect();
        for key in &keys {
            self.cache.delete(key, NOW, CONN);
        }
        keys.len() as u64
    }

    /// The classes that have pages, smallest chunks first.
    pub fn rows(&self) -> Vec<ClassRow> {
        self.cache
            .slabs()
            .classes()
            .filter(|(_, class)| class.is_active())
            .map(|(id, class)| ClassRow {
                class: id,
                chunk_size: class.chunk_size,
                chunks_per_page: class.chunks_per_page,
                pages: class.total_pages,
                used_chunks: class.used_chunks,
                free_chunks: class.free_chunks(),
                items: class.items,
                evicted: self.cache.slabs().counters(id).evicted,
                wasted: class.used_chunks * u64::from(class.chunk_size) - class.mem_requested,
            })
            .collect()
    }

    pub fn totals(&self) -> Totals {
        let rows = self.rows();
        let slabs = self.cache.slabs();
        Totals {
            limit: self.cache.limit(),
            malloced: slabs.total_malloced(),
            items: self.cache.stats().curr_items,
            evictions: self.cache.stats().evictions,
            requested: slabs.classes().map(|(_, class)| class.mem_requested).sum(),
            wasted: rows.iter().map(|row| row.wasted).sum(),
            free: rows
                .iter()
                .map(|row| row.free_chunks * u64::from(row.chunk_size))
                .sum(),
        }
    }

    /// The stranded-memory scenario on a fresh cache: small items past the
    /// limit (they take every page), every other one deleted, then large
    /// items, which get one page of their own and evict each other while
    /// the small class's free chunks sit unused.
    pub fn stranded(memory_mib: u64, growth_factor: f64) -> Result<(SlabLab, Stranded), Refusal> {
        let mut lab = SlabLab::new(memory_mib, growth_factor)?;
        let probe = lab.cache.placement(8, STRANDED_SMALL_VALUE as usize, 0);
        let per_page = u64::from(lab.cache.slabs().class(probe.class).chunks_per_page);
        // A tenth more than the pages hold, so the class is full and evicting.
        let small_count = (memory_mib * per_page * 11 / 10).min(*COUNT.end());
        let small = lab.store(STRANDED_SMALL_VALUE, small_count)?;
        let deleted = lab.delete_every_other(small.placement.class);
        let small_class = lab.cache.slabs().class(small.placement.class);
        let small_free_bytes = small_class.free_chunks() * u64::from(small_class.chunk_size);
        let large = lab.store(STRANDED_LARGE_VALUE, STRANDED_LARGE_COUNT)?;
        Ok((
            lab,
            Stranded {
                small,
                deleted,
                small_free_bytes,
                large,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_lands_in_a_class_and_wastes_the_rest_of_its_chunk() {
        let mut lab = SlabLab::new(8, 1.25).unwrap();
        let stored = lab.store(100, 1000).unwrap();
        // 8-byte key + 100-byte value + 59 = 167 bytes, in 192-byte chunks.
        assert_eq!(stored.placement.item_bytes, 167);
        assert_eq!(
            (stored.placement.class, stored.placement.chunk_size),
            (4, 192)
        );
        assert_eq!(stored.placement.wasted(), 25);
        assert_eq!(stored.new_pages, 1);
        assert_eq!(stored.naive_capacity, 50_231);
        assert_eq!(stored.chunk_capacity, 43_688);
        let rows = lab.rows();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].used_chunks, 1000);
        assert_eq!(rows[0].wasted, 25_000);
        assert_eq!(lab.totals().malloced, PAGE_SIZE);
    }

    #[test]
    fn the_stranded_scenario_evicts_beside_free_small_chunks() {
        let (lab, stranded) = SlabLab::stranded(8, 1.25).unwrap();
        assert_eq!(stranded.small.evicted, stranded.small.count - 43_688);
        assert_eq!(stranded.deleted, 21_844);
        assert_eq!(stranded.small_free_bytes, 21_844 * 192);
        assert_eq!(stranded.large.new_pages, 1);
        assert!(stranded.large.evicted > 0);
        assert!(
            stranded.small_free_bytes > PAGE_SIZE * 3,
            "almost half the memory"
        );
        let large = lab.cache().slabs().class(stranded.large.placement.class);
        assert_eq!(large.total_pages, 1);
    }

    #[test]
    fn settings_out_of_range_are_refused() {
        assert_eq!(SlabLab::new(0, 1.25).err(), Some(Refusal::Memory));
        assert_eq!(SlabLab::new(8, 1.0).err(), Some(Refusal::GrowthFactor));
        let mut lab = SlabLab::new(8, 2.0).unwrap();
        assert_eq!(lab.store(0, 1).err(), Some(Refusal::ValueBytes));
        assert_eq!(lab.store(10, 0).err(), Some(Refusal::Count));
    }
}
