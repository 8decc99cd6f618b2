/* The float helpers wasm2c's prelude defines call these; each is a GCC
   builtin (the chip has no square root: the firmware has its own, so
   f32.sqrt never appears in its wasm). */
#ifndef EPY_MATH_H
#define EPY_MATH_H
#define isnan __builtin_isnan
#define signbit __builtin_signbit
#define fabsf __builtin_fabsf
#define fabs __builtin_fabs
#define copysignf __builtin_copysignf
#define copysign __builtin_copysign
#define floorf __builtin_floorf
#define floor __builtin_floor
#define ceilf __builtin_ceilf
#define ceil __builtin_ceil
#define truncf __builtin_truncf
#define trunc __builtin_trunc
#define nearbyintf __builtin_nearbyintf
#define nearbyint __builtin_nearbyint
#define sqrtf __builtin_sqrtf
#define sqrt __builtin_sqrt
#define INFINITY __builtin_inff()
#define NAN __builtin_nanf("")
#endif
