/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the steering program and its two homes agree on: the live kernel's
 * object (steer.bpf.c), the port's C function (steer_port.c) and the test
 * that runs both (code/tests/steering/side_by_side.c).
 *
 * A datagram for the program carries two payload bytes after the 8-byte
 * UDP header: the steering key, then a sequence number that names the
 * packet's entry in the program's log of helper return values.
 */
#ifndef STEER_H
#define STEER_H

#define STEER_SLOTS		8	/* max_entries of the socket array */
#define STEER_LOG_SLOTS		32	/* entries of the return-value log (a power of two) */
#define STEER_UDP_HDR		8	/* ctx->data starts at the UDP header */
#define STEER_KEY_OFF		(STEER_UDP_HDR + 0)	/* payload byte 0: the key */
#define STEER_SEQ_OFF		(STEER_UDP_HDR + 1)	/* payload byte 1: the sequence */
#define STEER_KEY_DROP		0xff	/* this key gets SK_DROP */
#define STEER_NOT_RUN		1	/* log value: helper not called (it never returns > 0) */

#endif /* STEER_H */
