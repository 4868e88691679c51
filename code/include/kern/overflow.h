/**
 * @file overflow.h
 * @brief Saturating size arithmetic (include/linux/overflow.h).
 *
 * An allocation size that overflows must not wrap to a small number: the
 * kernel saturates it at SIZE_MAX, which no allocator can satisfy, so the
 * overflow becomes an ordinary -ENOMEM instead of a too-small buffer.
 */
#ifndef KERN_OVERFLOW_H
#define KERN_OVERFLOW_H

#include <stddef.h>
#include <stdint.h>

/**
 * @p a * @p b, or SIZE_MAX if the product does not fit.
 * @param a factor
 * @param b factor
 * @return the product, saturated
 */
static inline size_t size_mul(size_t a, size_t b)
{
	size_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return SIZE_MAX;
	return r;
}

/**
 * @p a + @p b, or SIZE_MAX if the sum does not fit.
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

/**
 * Size of @p count elements of the flexible array @p member of @p p.
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

#endif /* KERN_OVERFLOW_H */
