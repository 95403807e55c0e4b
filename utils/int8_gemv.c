/* int8 weights times a float32 vector: the one-token step of utils.llama.Int8Linear.

   out[o] = scale[o] * sum_i x[i] * q[o, i]     q: (n_out, n_in) int8, row-major; x, scale, out: float32

   A one-token step reads every weight once and does two operations with it, so its speed is set by
   how fast memory delivers the weights: int8 is a quarter of float32's bytes. This loop keeps that
   saving: it reads 8 int8 weights at a time, widens them to float32 inside the CPU's registers
   (AVX2: vpmovsxbd, vcvtdq2ps) and multiplies-and-adds them with the float32 input (FMA). It reads
   the matrix front to back and asks memory for the bytes 2 KB ahead before it needs them
   (prefetch). The input is never rounded: the only error is the weights' own rounding, as in
   Int8Linear.dequantized().

   utils/int8_kernel.py compiles this file with the C compiler, once, and calls it through ctypes.
   Only the AVX2 path is used from Python; int8_gemv_has_avx2() says whether this CPU has it. */

#include <stdint.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

int int8_gemv_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

__attribute__((target("avx2,fma"))) static inline __m256 widen8(const int8_t *q) {
    /* 8 int8 weights → 8 float32 */
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)q)));
}

__attribute__((target("avx2,fma"))) static inline float sum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
    return _mm_cvtss_f32(s);
}

/* How far ahead (bytes) to ask memory for the weights: without it the loop waits for memory. */
#define PREFETCH_AHEAD 2048

__attribute__((target("avx2,fma"))) void int8_gemv(const float *x, const int8_t *q, const float *scale,
                                                   float *out, int64_t n_in, int64_t n_out) {
    /* Row after row: the matrix is read front to back as one stream, which memory serves fastest. */
    for (int64_t o = 0; o < n_out; o++) {
        const int8_t *row = q + o * n_in;
        /* four partial sums, so that each multiply-add need not wait for the previous one */
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        int64_t i = 0;
        for (; i + 32 <= n_in; i += 32) {
            _mm_prefetch((const char *)row + i + PREFETCH_AHEAD, _MM_HINT_T0);  /* never faults */
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), widen8(row + i), a0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), widen8(row + i + 8), a1);
            a2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 16), widen8(row + i + 16), a2);
            a3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 24), widen8(row + i + 24), a3);
        }
        for (; i + 8 <= n_in; i += 8) a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), widen8(row + i), a0);
        float sum = sum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
        for (; i < n_in; i++) sum += x[i] * row[i];  /* the last n_in % 8 inputs */
        out[o] = sum * scale[o];
    }
}

#else /* not x86-64: Python keeps PyTorch's path */

int int8_gemv_has_avx2(void) { return 0; }

void int8_gemv(const float *x, const int8_t *q, const float *scale, float *out, int64_t n_in, int64_t n_out) {
    for (int64_t o = 0; o < n_out; o++) {
        float s = 0;
        for (int64_t i = 0; i < n_in; i++) s += x[i] * q[o * n_in + i];
        out[o] = s * scale[o];
    }
}

#endif
