/**
 * @file syscalls.h
 * @brief The port's system-call surface: bpf(2) and the socket calls, libc style.
 *
 * Every function here behaves like the system call of the same name on
 * Linux 6.18 for the objects the port models (BPF_MAP_TYPE_REUSEPORT_SOCKARRAY
 * maps and AF_INET/AF_INET6 TCP and UDP sockets): it returns -1 and sets
 * @c errno on failure, with the errno Linux gives.  The types are the real
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

#ifdef __cplusplus
}
#endif

#endif /* SOCKARRAY_SYSCALLS_H */
