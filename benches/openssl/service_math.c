/* The service's math for one SRP check, on OpenSSL's bignum: the baseline that
 * `scripts/openssl-bench` times `examples/service_math.rs` against, in interleaved rounds.
 *
 *   B = k·v + g^b mod N      g^b by BN_mod_exp_mont_consttime (b is secret)
 *   S = (A·v^u)^b mod N      v^u by BN_mod_exp_mont (u = H(A, B) is public),
 *                            the power of b by BN_mod_exp_mont_consttime
 *
 * N is the RFC 3526 3072-bit prime, g = 2, b and u 256 bits, v and A random below N: the same
 * steps, with the same exponent lengths and the same constant-time choices, as this crate's
 * service side. Usage: service_math COUNT; prints "COUNT checks in X ms".
 */
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char *N_HEX =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
    "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
    "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF05"
    "98DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB"
    "9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
    "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33"
    "A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864"
    "D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E2"
    "08E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";
static const char *K_HEX = "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6";

#define CHECK(x) do { if (!(x)) { fprintf(stderr, "service_math: %s failed\n", #x); exit(1); } } while (0)

int main(int argc, char **argv) {
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 100;
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *n = NULL, *k = NULL, *g = BN_new(), *v = BN_new(), *a = BN_new(), *b = BN_new(),
           *u = BN_new(), *gb = BN_new(), *kv = BN_new(), *big_b = BN_new(), *vu = BN_new(),
           *base = BN_new(), *s = BN_new();
    CHECK(ctx && BN_hex2bn(&n, N_HEX) && BN_hex2bn(&k, K_HEX) && BN_set_word(g, 2));
    BN_MONT_CTX *mont = BN_MONT_CTX_new();
    CHECK(mont && BN_MONT_CTX_set(mont, n, ctx));
    CHECK(BN_rand_range(v, n) && BN_rand_range(a, n));
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (long i = 0; i < count; i++) {
        CHECK(BN_rand(b, 256, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) && BN_rand(u, 256, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY));
        BN_set_flags(b, BN_FLG_CONSTTIME);
        CHECK(BN_mod_exp_mont_consttime(gb, g, b, n, ctx, mont));
        CHECK(BN_mod_mul(kv, k, v, n, ctx));
        CHECK(BN_mod_add(big_b, kv, gb, n, ctx));
        CHECK(BN_mod_exp_mont(vu, v, u, n, ctx, mont));
        CHECK(BN_mod_mul(base, a, vu, n, ctx));
        CHECK(BN_mod_exp_mont_consttime(s, base, b, n, ctx, mont));
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double ms = (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6;
    printf("%ld checks in %.1f ms\n", count, ms);
    return 0;
}
