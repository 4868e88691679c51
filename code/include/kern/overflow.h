/**
 * @file overflow.h
 * @brief Saturating size arithmetic (include/linux/overflow.h).
 *
 * An allocation size that overflows must not wrap to a small number: the
 * kernel saturates it at SIZE_MAX, which no allocator can satisfy, so the
 * overflow becomes an ordinary -ENOMEM instead of a too-small buffer.
 * SIZE_MAX is also sticky: once a step saturates, every later size_mul()
 * or size_add() of it is SIZE_MAX too.
 */
#ifndef KERN_OVERFLOW_H
#define KERN_OVERFLOW_H

#include <stddef.h>
#include <stdint.h>

/* [exercise:struct_size] */
/* [book:size_helpers] */
/**
 * @p a * @p b, or SIZE_MAX if the product does not fit in a size_t.
 * @param a factor
 * @param b factor
 * @return the product, saturated
 */
static inline size_t size_mul(size_t a, size_t b)
{
	size_t r;

	/* the builtin computes the exact product and says if it was cut */
	if (__builtin_mul_overflow(a, b, &r))
		return SIZE_MAX;
	return r;
}

/**
 * @p a + @p b, or SIZE_MAX if the sum does not fit in a size_t.
 * @param a addend
 * @param b addend
 * @return the sum, saturated
 */
static inline size_t size_add(size_t a, size_t b)
{
	size_t r;

	if (__builtin_add_overflow(a, b, &r))
		return SIZE_MAX;
	return r;
}
/* [/book:size_helpers] */
/* [/exercise:struct_size] */

/* [book:struct_size] */
/**
 * Size of @p count elements of the flexible array @p member of @p p,
 * saturated at SIZE_MAX.
 * @param p pointer to the structure (only its type is used)
 * @param member the flexible array member
 * @param count number of elements
 */
#define flex_array_size(p, member, count) \
	size_mul(count, sizeof(*(p)->member))

/**
 * Size of the structure @p p points to plus @p count elements of its
 * flexible array @p member, saturated at SIZE_MAX.  @p p is not
 * dereferenced: only its type matters, so it may be uninitialised.
 * @param p pointer to the structure
 * @param member the flexible array member
 * @param count number of elements
 */
#define struct_size(p, member, count) \
	size_add(sizeof(*(p)), flex_array_size(p, member, count))
/* [/book:struct_size] */

#endif /* KERN_OVERFLOW_H */
