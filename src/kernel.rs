//! The seam between the exponentiations (`pow`, `comb`) and the Montgomery kernels they run on
//! (`docs/architecture.md`, "Kernels"): the scalar kernel (`monty`), on every target, and the
//! AVX-512 IFMA kernel (`ifma`, feature `ifma`), on x86-64 CPUs that have it.
//!
//! A kernel is a value: the scalar one is a unit struct, the IFMA one exists only once the CPU
//! was seen to have the instructions, so holding it is what makes its code safe to run. Each
//! exponentiation asks `on_best_kernel!` once which kernel to use, converts its base into that
//! kernel's element, runs every product, square and table scan there, and converts the result
//! back into the scalar kernel's [`Elem`], the form the rest of the crate holds values in. The
//! element's representation (limbs, radix, the Montgomery R) is the kernel's own.

use crate::monty::Elem;
use zeroize::Zeroize;

/// Montgomery arithmetic modulo N, as the exponentiations use it. Every method is constant
/// time in its operands and in `index`.
pub(crate) trait Kernel: Copy {
    /// The kernel's element: an integer modulo N in the kernel's own form.
    type Elem: Clone + Zeroize;

    /// Whether a modular doubling is cheap in this kernel, so that g^e without the comb's table
    /// is best done by square-and-double rather than by the fixed window with base 2.
    const DOUBLES: bool;

    /// The kernel's form of 1.
    fn one(self) -> Self::Elem;

    /// `x` (the scalar kernel's element) in this kernel's form.
    fn enter(self, x: &Elem) -> Self::Elem;

    /// `x` back in the scalar kernel's form, fully reduced.
    fn leave(self, x: &Self::Elem) -> Elem;

    /// The Montgomery product of `a` and `b`.
    fn mul(self, a: &Self::Elem, b: &Self::Elem) -> Self::Elem;

    /// The Montgomery square of `a`.
    fn square(self, a: &Self::Elem) -> Self::Elem;

    /// `table[index]`, reading every entry; zero past the end.
    fn select(self, table: &[Self::Elem], index: u64) -> Self::Elem;

    /// Entry `index` of one of the comb's sub-tables (held in the scalar kernel's form), in the
    /// form the comb's products take it.
    #[cfg(feature = "comb-table")]
    fn select_comb(self, table: &[Elem], index: u64) -> Self::Elem;

    /// The comb's result in the scalar kernel's form: it undoes whatever scale the comb's
    /// products left on it (`ifma`'s module doc).
    #[cfg(feature = "comb-table")]
    fn leave_comb(self, x: &Self::Elem) -> Elem;
}

/// Runs `$body` with `$k` bound to the fastest kernel this CPU has: the dispatch point of every
/// exponentiation. The body is compiled once per kernel.
macro_rules! on_best_kernel {
    (|$k:ident| $body:expr) => {{
        #[cfg(all(feature = "ifma", target_arch = "x86_64"))]
        let out = match crate::kernel::ifma() {
            Some($k) => $body,
            None => {
                let $k = crate::monty::Scalar;
                $body
            }
        };
        #[cfg(not(all(feature = "ifma", target_arch = "x86_64")))]
        let out = {
            let $k = crate::monty::Scalar;
            $body
        };
        out
    }};
}
pub(crate) use on_best_kernel;

/// The IFMA kernel if this CPU has it, and unless a benchmark asked for the scalar kernel.
#[cfg(all(feature = "ifma", target_arch = "x86_64"))]
pub(crate) fn ifma() -> Option<crate::monty::ifma::Ifma> {
    #[cfg(feature = "__bench")]
    if SCALAR_ONLY.load(core::sync::atomic::Ordering::Relaxed) {
        return None;
    }
    crate::monty::ifma::Ifma::detect()
}

/// Set by `bench::use_scalar_kernel`: the benchmarks time both kernels in one run.
#[cfg(all(feature = "ifma", target_arch = "x86_64", feature = "__bench"))]
pub(crate) static SCALAR_ONLY: core::sync::atomic::AtomicBool =
    core::sync::atomic::AtomicBool::new(false);
