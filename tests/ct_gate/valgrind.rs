//! Valgrind client requests (valgrind.h / memcheck.h), x86_64 only: the magic preamble that
//! valgrind recognizes, with the request block's address in rax and the result in rdx. On a
//! real CPU the sequence does nothing and rdx keeps the default.

const RUNNING_ON_VALGRIND: usize = 0x1001;
const COUNT_ERRORS: usize = 0x1201;
/// `VG_USERREQ_TOOL_BASE('M', 'C')`, then NOACCESS, UNDEFINED, DEFINED in order.
const MAKE_MEM_UNDEFINED: usize = 0x4d43_0001;
const MAKE_MEM_DEFINED: usize = 0x4d43_0002;

#[cfg(target_arch = "x86_64")]
fn request(code: usize, arg1: usize, arg2: usize) -> usize {
    let block: [usize; 6] = [code, arg1, arg2, 0, 0, 0];
    let result: usize;
    // SAFETY: the rotations of rdi sum to 128 bits (rdi is unchanged) and `xchg rbx, rbx` is a
    // no-op; valgrind reads `block` through rax and writes its answer to rdx.
    unsafe {
        core::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            inout("rdx") 0usize => result,
            in("rax") block.as_ptr(),
            inout("rdi") 0usize => _,
            options(nostack),
        );
    }
    result
}

#[cfg(not(target_arch = "x86_64"))]
fn request(_: usize, _: usize, _: usize) -> usize {
    panic!("the constant-time gate's valgrind requests are written for x86_64");
}

pub fn running_on_valgrind() -> bool {
    request(RUNNING_ON_VALGRIND, 0, 0) != 0
}

/// Errors memcheck has reported so far.
pub fn error_count() -> usize {
    request(COUNT_ERRORS, 0, 0)
}

/// Marks a secret: from here on memcheck treats its bytes as unknown.
pub fn poison<T: ?Sized>(value: &T) {
    request(
        MAKE_MEM_UNDEFINED,
        (value as *const T).cast::<u8>() as usize,
        std::mem::size_of_val(value),
    );
}

/// Marks bytes public again (the crate's declassify hook, and the gate's own outputs).
pub fn unpoison_raw(ptr: *const u8, len: usize) {
    request(MAKE_MEM_DEFINED, ptr as usize, len);
}

pub fn unpoison<T: ?Sized>(value: &T) {
    unpoison_raw(
        (value as *const T).cast::<u8>(),
        std::mem::size_of_val(value),
    );
}
