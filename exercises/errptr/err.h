/*
 * Exercise "errptr": carry an errno inside a pointer: the ERR_PTR family
 * Chapter: A kernel in userspace.
 *
 * Write the bodies of the functions below.  Run `make check` in this
 * folder: it builds the whole port with your functions in place of the
 * real ones and runs the chapter's tests.  README.md says what they check.
 *
 * Made from code/include/kern/err.h by tools/exgen.py; this copy is yours to edit.
 */

/**
 * Encode a negative errno as a pointer.
 * @param error a negative errno, -1 .. -MAX_ERRNO
 * @return a pointer that IS_ERR() recognises and PTR_ERR() decodes
 */
static inline void *ERR_PTR(long error)
{
	/* EXERCISE: write ERR_PTR() (see README.md). */
	return NULL;
}

/**
 * Decode the errno from a pointer made by ERR_PTR().
 * @param ptr an error pointer (check it with IS_ERR() first)
 * @return the negative errno
 */
static inline long PTR_ERR(const void *ptr)
{
	/* EXERCISE: write PTR_ERR() (see README.md). */
	return -ENOSYS;
}

/**
 * Is @p ptr an encoded errno?
 * @param ptr any pointer
 * @return true exactly for the addresses ERR_PTR(-1) .. ERR_PTR(-MAX_ERRNO)
 */
static inline bool IS_ERR(const void *ptr)
{
	/* EXERCISE: write IS_ERR() (see README.md). */
	return 0;
}

/**
 * Is @p ptr NULL or an encoded errno?
 * @param ptr any pointer
 * @return true for NULL and for ERR_PTR() values
 */
static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	/* EXERCISE: write IS_ERR_OR_NULL() (see README.md). */
	return 0;
}

/**
 * Pass an error pointer on as a pointer of another type.
 * @param ptr an error pointer (const is dropped)
 * @return the same address, as a plain void pointer
 */
static inline void *ERR_CAST(const void *ptr)
{
	/* EXERCISE: write ERR_CAST() (see README.md). */
	return NULL;
}

/**
 * The errno inside @p ptr, or 0 if it is not an error pointer.
 * @param ptr a pointer, possibly an error pointer
 * @return the negative errno, or 0 (also for NULL)
 */
static inline int PTR_ERR_OR_ZERO(const void *ptr)
{
	/* EXERCISE: write PTR_ERR_OR_ZERO() (see README.md). */
	return -ENOSYS;
}
