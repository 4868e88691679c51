/**
 * @file net.h
 * @brief struct socket: the file-side half of a socket (include/linux/net.h).
 */
#ifndef KERN_NET_H
#define KERN_NET_H

#include "file.h"
#include "sock.h"

struct sockaddr;
struct socket;

/** Socket states as the file side sees them (socket_state). */
typedef enum {
	SS_FREE = 0,
	SS_UNCONNECTED,
	SS_CONNECTING,
	SS_CONNECTED,
	SS_DISCONNECTING,
} socket_state;

/** @brief Per-family operations behind the socket system calls (struct proto_ops). */
struct proto_ops {
	int family;	/**< AF_* */
	int (*release)(struct socket *sock);	/**< close() of the last descriptor */
	int (*bind)(struct socket *sock, const struct sockaddr *addr, int len);	/**< bind() */
	int (*connect)(struct socket *sock, const struct sockaddr *addr, int len, int flags);	/**< connect() */
	int (*accept)(struct socket *sock, struct socket *newsock, int flags);	/**< accept() */
	int (*getname)(struct socket *sock, struct sockaddr *addr, int peer);	/**< getsockname(): returns the length */
	int (*listen)(struct socket *sock, int backlog);	/**< listen() */
	int (*shutdown)(struct socket *sock, int how);	/**< shutdown() */
	int (*setsockopt)(struct socket *sock, int level, int optname, const void *optval, unsigned int optlen);	/**< non-SOL_SOCKET levels */
	int (*getsockopt)(struct socket *sock, int level, int optname, void *optval, int *optlen);	/**< non-SOL_SOCKET levels */
};

/** @brief The file side of a socket. */
struct socket {
	socket_state state;		/**< SS_* */
	short type;			/**< SOCK_STREAM, ... */
	struct file *file;		/**< the open file */
	struct sock *sk;		/**< the network side, or NULL */
	const struct proto_ops *ops;	/**< family operations */
};

/**
 * The socket behind descriptor @p fd, with a reference on its file
 * (net/socket.c).
 * @param fd descriptor
 * @param err where -EBADF (not open) or -ENOTSOCK (not a socket) goes
 * @return the socket, or NULL with *@p err set
 */
struct socket *sockfd_lookup(int fd, int *err);

/**
 * Drop the reference sockfd_lookup() took.
 * @param sock the socket
 */
void sockfd_put(struct socket *sock);

#endif /* KERN_NET_H */
