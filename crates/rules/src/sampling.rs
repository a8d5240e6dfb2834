//! Repeatable random draws: the same items, count and seed always give the
//! same draw, on any machine and any version of casemark, so a recorded
//! seed lets anyone check how a sample was chosen.
//!
//! The generator is SplitMix64 (Steele, Lea and Flood, 2014): a few lines
//! of integer arithmetic, fully specified, with no dependence on a crate's
//! choice of algorithm that could change between versions.

/// SplitMix64: each call advances the state by a fixed odd constant and
/// mixes it.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A whole number in `0..bound` without modulo bias (Lemire's
    /// multiply-and-reject).
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "an empty range");
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let product = u128::from(self.next_u64()) * u128::from(bound);
            if (product as u64) >= threshold {
                return (product >> 64) as u64;
            }
        }
    }
}

/// Draws `n` of `items` (all of them if there are no more) by a partial
/// Fisher–Yates shuffle seeded with `seed`. The items are taken in the
/// order given, so give them in a stable order (by id, say).
pub fn draw<T: Clone>(items: &[T], n: usize, seed: u64) -> Vec<T> {
    let mut pool: Vec<T> = items.to_vec();
    let n = n.min(pool.len());
    let mut rng = SplitMix64::new(seed);
    for i in 0..n {
        let remaining = (pool.len() - i) as u64;
        let j = i + rng.below(remaining) as usize;
        pool.swap(i, j);
    }
    pool.truncate(n);
    pool
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_its_published_sequence() {
        // The reference implementation's first outputs for seed 1234567.
        let mut rng = SplitMix64::new(1_234_567);
        let first: Vec<u64> = (0..3).map(|_| rng.next_u64()).collect();
        assert_eq!(
            first,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    #[test]
    fn the_same_seed_draws_the_same_sample() {
        let ids: Vec<i64> = (1..=54).collect();
        let a = draw(&ids, 10, 42);
        assert_eq!(a, draw(&ids, 10, 42));
        assert_ne!(a, draw(&ids, 10, 43));
        let mut unique = a.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 10, "no case twice");
        assert!(a.iter().all(|id| ids.contains(id)));
        assert_eq!(draw(&ids, 100, 1).len(), 54);
        assert!(draw::<i64>(&[], 3, 1).is_empty());
    }
}
