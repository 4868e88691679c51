/*
 * Exercise "struct_size": size a structure with a flexible array without ever wrapping
 * Chapter: A kernel in userspace.
 *
 * Write the bodies of the functions below.  Run `make check` in this
 * folder: it builds the whole port with your functions in place of the
 * real ones and runs the chapter's tests.  README.md says what they check.
 *
 * Made from code/include/kern/overflow.h by tools/exgen.py; this copy is yours to edit.
 */

/**
 * @p a * @p b, or SIZE_MAX if the product does not fit in a size_t.
 * @param a factor
 * @param b factor
 * @return the product, saturated
 */
static inline size_t size_mul(size_t a, size_t b)
{
	/* EXERCISE: write size_mul() (see README.md). */
	return 0;
}

/**
 * @p a + @p b, or SIZE_MAX if the sum does not fit in a size_t.
 * @param a addend
 * @param b addend
 * @return the sum, saturated
 */
static inline size_t size_add(size_t a, size_t b)
{
	/* EXERCISE: write size_add() (see README.md). */
	return 0;
}
