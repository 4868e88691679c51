/**
 * @file syscalls.h
 * @brief The port's system-call surface: bpf(2) and the socket calls, libc style.
 *
 * Every function here behaves like the system call of the same name on
 * Linux 6.18 for the objects the port models (BPF_MAP_TYPE_REUSEPORT_SOCKARRAY
 * maps, SK_REUSEPORT programs, and AF_INET/AF_INET6 TCP and UDP sockets):
 * it returns -1 and sets @c errno on failure, with the errno Linux gives.
 * Programs are C functions (see sockarray_prog_load()); their helper,
 * like the kernel's, returns a negative errno instead.  The types are the real
 * uapi ones (<linux/bpf.h>, <sys/socket.h>, <netinet/in.h>).
 *
 * Descriptors returned by the port are real descriptors of the calling
 * process (each holds an open /dev/null underneath), so a port descriptor
 * never collides with a descriptor the program opened itself, and a
 * descriptor the port did not create (a file, a pipe) is seen by the port
 * as an open descriptor that is neither a socket nor a map, as Linux would.
 */
#ifndef SOCKARRAY_SYSCALLS_H
#define SOCKARRAY_SYSCALLS_H

#include <linux/bpf.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief bpf(2): BPF_MAP_CREATE, BPF_MAP_LOOKUP_ELEM, BPF_MAP_UPDATE_ELEM,
 *        BPF_MAP_DELETE_ELEM, BPF_MAP_GET_NEXT_KEY and the few other map
 *        commands whose errors this map shows (see the book).
 * @param cmd  the command (enum bpf_cmd)
 * @param attr the attribute block, read and written as the kernel does
 * @param size the number of bytes of @p attr the caller passes
 * @return a new descriptor (BPF_MAP_CREATE), 0, or -1 with errno set
 */
int sys_bpf(int cmd, union bpf_attr *attr, unsigned int size);

/**
 * @brief socket(2).
 * @param domain AF_INET, AF_INET6, AF_UNIX, AF_NETLINK, AF_PACKET
 * @param type SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, ... with SOCK_NONBLOCK/SOCK_CLOEXEC
 * @param protocol 0 or an IPPROTO_* number
 * @return a new descriptor, or -1 with errno set
 */
int sys_socket(int domain, int type, int protocol);

/**
 * @brief setsockopt(2): SOL_SOCKET SO_REUSEPORT, SO_REUSEADDR; SOL_IPV6 IPV6_V6ONLY.
 * @param fd socket descriptor
 * @param level option level
 * @param optname option name
 * @param optval option value
 * @param optlen size of @p optval
 * @return 0, or -1 with errno set
 */
int sys_setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen);

/**
 * @brief getsockopt(2): SO_REUSEPORT, SO_REUSEADDR, SO_COOKIE, SO_TYPE,
 *        SO_PROTOCOL, SO_DOMAIN, SO_ACCEPTCONN; IPV6_V6ONLY.
 * @param fd socket descriptor
 * @param level option level
 * @param optname option name
 * @param optval where the value is written
 * @param optlen in: room at @p optval; out: bytes written
 * @return 0, or -1 with errno set
 */
int sys_getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen);

/**
 * @brief bind(2) for AF_INET/AF_INET6 on loopback or wildcard addresses.
 * @param fd socket descriptor
 * @param addr a struct sockaddr_in or sockaddr_in6
 * @param addrlen its size
 * @return 0, or -1 with errno set
 */
int sys_bind(int fd, const struct sockaddr *addr, socklen_t addrlen);

/**
 * @brief getsockname(2).
 * @param fd socket descriptor
 * @param addr where the local address is written
 * @param addrlen in: room at @p addr; out: the full address length
 * @return 0, or -1 with errno set
 */
int sys_getsockname(int fd, struct sockaddr *addr, socklen_t *addrlen);

/**
 * @brief listen(2) for TCP sockets.
 * @param fd socket descriptor
 * @param backlog accept queue length
 * @return 0, or -1 with errno set
 */
int sys_listen(int fd, int backlog);

/**
 * @brief connect(2): TCP to a port listener, UDP to any loopback peer,
 *        and AF_UNSPEC to disconnect.
 * @param fd socket descriptor
 * @param addr peer address
 * @param addrlen its size
 * @return 0, or -1 with errno set
 */
int sys_connect(int fd, const struct sockaddr *addr, socklen_t addrlen);

/**
 * @brief accept(2) (an extension of the pinned surface: the spec's
 *        "accepted child" cases need it).
 * @param fd listening socket
 * @param addr where the peer address is written, or NULL
 * @param addrlen in/out length, or NULL
 * @return a new descriptor, or -1 with errno set (EAGAIN when nothing waits)
 */
int sys_accept(int fd, struct sockaddr *addr, socklen_t *addrlen);

/**
 * @brief shutdown(2).
 * @param fd socket descriptor
 * @param how SHUT_RD, SHUT_WR or SHUT_RDWR
 * @return 0, or -1 with errno set
 */
int sys_shutdown(int fd, int how);

/**
 * @brief dup(2) (an extension: a second descriptor for the same open file).
 * @param fd descriptor to duplicate
 * @return the new descriptor, or -1 with errno set
 */
int sys_dup(int fd);

/**
 * @brief close(2).  Closing the last descriptor of a socket closes it (and
 *        so removes it from any map); of a map, frees it after a grace period.
 * @param fd descriptor
 * @return 0, or -1 with errno set
 */
int sys_close(int fd);

/* [book:steering_api] */
/**
 * @brief A map as a program sees it: opaque, only passed to helpers.
 */
struct bpf_map;

/**
 * @brief An SK_REUSEPORT "program": a C function standing in for a
 *        verified BPF program.
 *
 * It runs when a UDP datagram or a TCP SYN reaches a reuseport group that
 * has the program attached (SO_ATTACH_REUSEPORT_EBPF), inside the reader's
 * rcu_read_lock(), as in the kernel.  What it may do is what the verifier
 * lets a real program do: read its context, call
 * sockarray_sk_select_reuseport(), return a verdict.  It must not block,
 * and it must not make system calls on the port.
 *
 * @p ctx is the real uapi struct sk_reuseport_md: @c data / @c data_end
 * bound the packet from its L4 header (UDP: the 8-byte header, then the
 * payload; TCP: the SYN's header), @c len is that length, @c eth_protocol
 * is ETH_P_IP or ETH_P_IPV6 in network order, @c ip_protocol the
 * receiving socket's protocol, @c bind_inany whether the group is bound to
 * the wildcard address, @c hash the flow hash.  @c sk and
 * @c migrating_sk are NULL in the port.
 *
 * @p maps are the maps given to sockarray_prog_load(), in that order: what
 * the verifier's rewrite of map descriptors into map pointers gives a real
 * program.
 *
 * @return SK_PASS (with or without a selection) or SK_DROP; any value
 *         other than SK_PASS counts as SK_DROP
 */
typedef int (*sockarray_reuseport_prog_t)(struct sk_reuseport_md *ctx,
					  struct bpf_map *const *maps);

/**
 * @brief BPF_PROG_LOAD for an SK_REUSEPORT program.
 *
 * Returns a descriptor for a new program.  The program holds a reference
 * on each map in @p map_fds (the kernel's used_maps), so the maps outlive
 * their own descriptors for as long as the program exists; the program
 * lives while a descriptor or a reuseport group holds it.
 *
 * @param prog the program
 * @param map_fds descriptors of the maps it uses (may be NULL if @p nr_maps is 0)
 * @param nr_maps how many
 * @return a program descriptor, or -1 with errno: EINVAL (no program, no
 *         map array, or a descriptor that is not a map), EBADF (a map
 *         descriptor that is not open), E2BIG (more than 64 maps), EPERM
 *         (no CAP_BPF or CAP_SYS_ADMIN), ENOMEM
 */
int sockarray_prog_load(sockarray_reuseport_prog_t prog, const int *map_fds,
			unsigned int nr_maps);

/**
 * @brief bpf_sk_select_reuseport(), as a program calls it.
 *
 * Selects the socket in slot *@p key of @p map for the packet the program
 * is running for.  The socket must be in the same reuseport group as the
 * socket that received the packet.
 *
 * @param ctx the program's context, exactly as it was passed in
 * @param map a BPF_MAP_TYPE_REUSEPORT_SOCKARRAY from the program's maps
 * @param key pointer to a __u32 slot index
 * @param flags ignored, as in the kernel
 * @return 0 (selected), -ENOENT (index out of range or slot empty),
 *         -EPROTOTYPE (the socket is of another protocol), -EAFNOSUPPORT
 *         (of another family), -EBADFD (same kind, another group), or
 *         -EINVAL for what the verifier would have refused: a map that
 *         is not a reuseport array, or a @p ctx that is not the running
 *         program's own (the helper called outside a program)
 */
long sockarray_sk_select_reuseport(struct sk_reuseport_md *ctx, struct bpf_map *map,
				   const void *key, __u64 flags);

/**
 * @brief sendto(2) for UDP sockets, to loopback destinations.
 *
 * The datagram is delivered at once: the receiving socket is looked up as
 * Linux's __udp4_lib_lookup() does, a reuseport group picks its member (by
 * its program, else by hash), and the datagram joins that socket's
 * receive queue.  A full queue, a program's SK_DROP, or no socket at all
 * drop the datagram without telling an unconnected sender, as on Linux; a
 * connected sender learns ECONNREFUSED from its next call (the ICMP port
 * unreachable).  An unbound sender is bound to an ephemeral port first.
 *
 * @param fd a UDP socket
 * @param buf the payload
 * @param len its length (at most 65507 bytes over IPv4, 65527 over IPv6)
 * @param flags MSG_DONTWAIT and MSG_NOSIGNAL are accepted; MSG_OOB is EOPNOTSUPP
 * @param dest destination (AF_INET; AF_INET6 ::1 or mapped), or NULL on a connected socket
 * @param addrlen its length
 * @return @p len, or -1 with errno: EBADF, ENOTSOCK, EOPNOTSUPP (not UDP),
 *         EDESTADDRREQ, EINVAL, EAFNOSUPPORT, EMSGSIZE, ENETUNREACH,
 *         ECONNREFUSED, EPIPE
 */
ssize_t sys_sendto(int fd, const void *buf, size_t len, int flags,
		   const struct sockaddr *dest, socklen_t addrlen);

/**
 * @brief recvfrom(2) for UDP sockets; never blocks.
 *
 * Takes the oldest datagram off the socket's receive queue.  A datagram
 * longer than @p len is truncated and the rest discarded; with MSG_TRUNC
 * the return value is its real length.  MSG_PEEK leaves it queued.
 *
 * @param fd a UDP socket
 * @param buf where the payload goes
 * @param len room at @p buf
 * @param flags MSG_PEEK, MSG_TRUNC, MSG_DONTWAIT; MSG_OOB is EOPNOTSUPP
 * @param src where the sender's address goes, or NULL
 * @param addrlen in: room at @p src; out: the full address length
 * @return bytes copied (or the datagram's length with MSG_TRUNC), 0 after
 *         shutdown(SHUT_RD) with nothing queued, or -1 with errno: EAGAIN
 *         (nothing queued, whatever the socket's blocking mode),
 *         ECONNREFUSED (pending error), EBADF, ENOTSOCK, EOPNOTSUPP
 */
ssize_t sys_recvfrom(int fd, void *buf, size_t len, int flags,
		     struct sockaddr *src, socklen_t *addrlen);
/* [/book:steering_api] */

#ifdef __cplusplus
}
#endif

#endif /* SOCKARRAY_SYSCALLS_H */
