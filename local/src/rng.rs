//! Seeded randomness: `States.UUID`, `States.MathRandom`, FULL jitter and task tokens repeat
//! for the same seed, so a test can assert on them.

/// A seeded random source.
#[derive(Debug, Clone)]
pub struct Rng(fastrand::Rng);

impl Rng {
    /// A source that gives the same numbers for the same seed.
    pub fn seeded(seed: u64) -> Self {
        Rng(fastrand::Rng::with_seed(seed))
    }

    /// A number in `[0, 1)`.
    pub fn f64(&mut self) -> f64 {
        self.0.f64()
    }

    /// An integer in `[start, end)`; `start` when the range is empty.
    pub fn i64_range(&mut self, start: i64, end: i64) -> i64 {
        if end <= start {
            start
        } else {
            self.0.i64(start..end)
        }
    }

    /// A version 4 UUID, `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`.
    pub fn uuid(&mut self) -> String {
        let mut bytes = [0u8; 16];
        self.0.fill(&mut bytes);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string()
    }
}
