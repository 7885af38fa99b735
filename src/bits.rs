//! How the exponentiations read a secret exponent (a, b, x, a + u·x; see `docs/protocol.md`,
//! "The client's side" and "The service's side"): a few bits at a time, at positions the caller
//! fixes from public bounds. `pow` and `comb` both read exponents only through [`window`], so
//! which words are loaded never depends on the exponent's value.

use crate::monty::widen;
use crypto_bigint::Word;

/// Bits `pos..pos + width` (width at most 6) of the little-endian `words`, zero past the end.
/// `pos` and `width` are public: they pick the words read, the bits' values never do.
pub(crate) fn window(words: &[Word], pos: u32, width: u32) -> u64 {
    let (index, shift) = ((pos / Word::BITS) as usize, pos % Word::BITS);
    let low = words.get(index).map_or(0, |&w| widen(w) >> shift);
    let high = if shift + width > Word::BITS {
        words
            .get(index + 1)
            .map_or(0, |&w| widen(w) << (Word::BITS - shift))
    } else {
        0
    };
    (low | high) & ((1 << width) - 1)
}
