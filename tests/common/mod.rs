//! Helpers shared by the integration tests (each test file compiles its own copy, so not
//! every helper is used everywhere).
#![allow(dead_code)]

use linkflow::{RawLink, RawObservation, Region};

/// A link with visible text, in `<main>`, visible, followed.
pub fn link(href: &str, text: &str) -> RawLink {
    RawLink {
        href: href.into(),
        text: Some(text.into()),
        region: Some(Region::Main),
        visible: Some(true),
        ..Default::default()
    }
}

/// An observation of `url` with these links.
pub fn obs(url: &str, links: Vec<RawLink>) -> RawObservation {
    RawObservation {
        url: url.into(),
        links,
        ..Default::default()
    }
}

/// A tiny seeded PRNG (xorshift64*), so that every hostile input can be reproduced from
/// the seed printed with a failure.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator from `seed` (any value; 0 is remapped).
    pub fn new(seed: u64) -> Self {
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u32, den: u32) -> bool {
        (self.next_u64() % u64::from(den)) < u64::from(num)
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}
