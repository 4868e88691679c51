/**
 * @file types.h
 * @brief Kernel integer types and limits (include/linux/types.h, include/linux/limits.h).
 *
 * The kernel spells fixed-width integers u8..u64 and s8..s64; the port keeps
 * those names so that every listing reads like its kernel original.
 */
#ifndef KERN_TYPES_H
#define KERN_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;	/**< unsigned 8-bit */
typedef uint16_t u16;	/**< unsigned 16-bit */
typedef uint32_t u32;	/**< unsigned 32-bit */
typedef uint64_t u64;	/**< unsigned 64-bit */
typedef int8_t s8;	/**< signed 8-bit */
typedef int16_t s16;	/**< signed 16-bit */
typedef int32_t s32;	/**< signed 32-bit */
typedef int64_t s64;	/**< signed 64-bit */

/** Largest s32, as include/linux/limits.h has it. */
#define S32_MAX ((s32)0x7fffffff)
/** Largest u32. */
#define U32_MAX ((u32)~0U)
/** Largest u64. */
#define U64_MAX ((u64)~0ULL)

/** The kernel's "no preferred NUMA node" value (include/linux/numa.h). */
#define NUMA_NO_NODE (-1)

#endif /* KERN_TYPES_H */
