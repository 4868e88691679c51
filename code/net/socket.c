/**
 * @file socket.c
 * @brief The socket system calls and socket files.  Port of parts of
 *        net/socket.c, Linux 6.18.
 *
 * Each sys_* function is the system call of the same name for the port's
 * sockets: it resolves the descriptor, copies the user's arguments the way
 * the kernel does (so a bad pointer is EFAULT, not a crash), calls the
 * family's operation, and turns a negative errno into -1 with errno set.
 * The order of the checks is Linux's, so that a call with several things
 * wrong fails the way it would on Linux.
 *
 * A socket is a struct socket (file side) plus a struct sock (network side),
 * reached through a port descriptor whose file has socket_file_ops.  Closing
 * the last descriptor releases both.
 *
 * Not modelled: SOCK_CLOEXEC (every port descriptor is close-on-exec, since
 * the descriptor table cannot cross exec anyway) and blocking: the port
 * has no other task to wait for, so a blocking accept() with nothing
 * queued answers EAGAIN like a non-blocking one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kern/capability.h"
#include "kern/err.h"
#include "kern/file.h"
#include "kern/inet_sock.h"
#include "kern/uaccess.h"
#include "sockarray/syscalls.h"

/* The families socket() knows; the others answer EAFNOSUPPORT. */
static const struct net_proto_family *const net_families[NPROTO] = {
	[AF_UNIX] = &unix_family_ops,
	[AF_INET] = &inet_family_ops,
	[AF_INET6] = &inet6_family_ops,
	[AF_NETLINK] = &netlink_family_ops,
	[AF_PACKET] = &packet_family_ops,
};

/* Port of sock_release(): the family lets go of the network side, then
 * the file side goes too. */
static void sock_release(struct socket *sock)
{
	if (sock->ops) {
		sock->ops->release(sock);
		sock->ops = NULL;
	}
	sock->file = NULL;
	free(sock);
}

/* Port of sock_close(): the last reference to a socket file is gone. */
static int sock_close(struct file *file)
{
	sock_release(file->private_data);
	return 0;
}

/* What a socket descriptor's file does (the kernel's socket_file_ops). */
static const struct file_operations socket_file_ops = {
	.release = sock_close,
	.name = "socket",
};

/* [book:sockfd_lookup] */
/*
 * The socket behind descriptor @p fd, with a reference on its file (port
 * of sockfd_lookup()).
 * @param fd descriptor
 * @param err where -EBADF (not open) or -ENOTSOCK (open, not a socket) goes
 * @return the socket, or NULL with *@p err set
 */
struct socket *sockfd_lookup(int fd, int *err)
{
	struct file *file = fget(fd);

	*err = -EBADF;
	if (!file)
		return NULL;
	if (file_is_foreign(file) || file->f_op != &socket_file_ops) {
		fput(file);
		*err = -ENOTSOCK;
		return NULL;
	}
	return file->private_data;
}

/*
 * Drop the file reference sockfd_lookup() took (port of sockfd_put()).
 * @param sock the socket
 */
void sockfd_put(struct socket *sock)
{
	fput(sock->file);
}
/* [/book:sockfd_lookup] */

/* The socket of an already referenced file (port of sock_from_file()). */
static struct socket *sock_from_file(struct file *file)
{
	if (file_is_foreign(file) || file->f_op != &socket_file_ops)
		return NULL;
	return file->private_data;
}

/* A system call's result: -1 and errno for a negative errno. */
static int syscall_ret(int err)
{
	if (err < 0) {
		errno = -err;
		return -1;
	}
	return err;
}

/* Port of move_addr_to_kernel(): copy a user's socket address. */
static int move_addr_to_kernel(const void *uaddr, int ulen, struct sockaddr_storage *kaddr)
{
	if (ulen < 0 || ulen > (int)sizeof(struct sockaddr_storage))
		return -EINVAL;
	if (ulen == 0)
		return 0;
	if (copy_from_user(kaddr, uaddr, (unsigned long)ulen))
		return -EFAULT;
	return 0;
}

/*
 * Port of move_addr_to_user(): give the user at most the room they have,
 * and tell them the full length ("the value before truncation", POSIX).
 */
static int move_addr_to_user(const struct sockaddr_storage *kaddr, int klen,
			     void *uaddr, socklen_t *ulen)
{
	int len;

	if (copy_from_user(&len, ulen, sizeof(len)))
		return -EFAULT;
	if (len > klen)
		len = klen;
	if (len < 0)
		return -EINVAL;
	if (len && copy_to_user(uaddr, kaddr, (unsigned long)len))
		return -EFAULT;
	if (copy_to_user(ulen, &klen, sizeof(klen)))
		return -EFAULT;
	return 0;
}

/*
 * Port of __sock_create(): the family and type are checked in this order
 * before any family code runs; then the family creates the network side.
 */
static int __sock_create(int family, int type, int protocol, struct socket **res)
{
	const struct net_proto_family *pf;
	struct socket *sock;
	int err;

	if (family < 0 || family >= NPROTO)
		return -EAFNOSUPPORT;
	if (type < 0 || type >= SOCK_MAX)
		return -EINVAL;

	/* Old programs open packet sockets as AF_INET + SOCK_PACKET. */
	if (family == PF_INET && type == SOCK_PACKET)
		family = PF_PACKET;

	sock = calloc(1, sizeof(*sock));
	if (!sock)
		return -ENFILE;
	sock->type = (short)type;

	pf = net_families[family];
	if (!pf) {
		free(sock);
		return -EAFNOSUPPORT;
	}

	err = pf->create(sock, protocol, 0);
	if (err < 0) {
		/* create() has freed whatever network side it made */
		free(sock);
		return err;
	}

	*res = sock;
	return 0;
}

/* Port of sock_alloc_file() + fd_install(): a descriptor for @sock.  On
 * failure the socket is released. */
static int sock_map_fd(struct socket *sock, int flags)
{
	struct file *file;
	int fd;

	file = alloc_file(&socket_file_ops, sock, FMODE_READ | FMODE_WRITE,
			  O_RDWR | (flags & O_NONBLOCK));
	if (!file) {
		sock_release(sock);
		return -ENFILE;
	}
	/* published by fd_install_new(): must be complete before */
	sock->file = file;

	fd = fd_install_new(file);
	if (fd < 0)
		fput(file);	/* releases the socket */
	return fd;
}

/*
 * socket(2) (port of __sys_socket()).
 * @param family AF_*
 * @param type SOCK_* possibly with SOCK_NONBLOCK and SOCK_CLOEXEC
 * @param protocol 0 or IPPROTO_*
 * @return a new descriptor, or -1 with errno set
 */
int sys_socket(int family, int type, int protocol)
{
	struct socket *sock;
	int flags, err;

	flags = type & ~SOCK_TYPE_MASK;
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return syscall_ret(-EINVAL);
	type &= SOCK_TYPE_MASK;

	err = __sock_create(family, type, protocol, &sock);
	if (err)
		return syscall_ret(err);

	return syscall_ret(sock_map_fd(sock, flags & (SOCK_CLOEXEC | SOCK_NONBLOCK)));
}

/*
 * bind(2) (port of __sys_bind()): descriptor first, then the address copy.
 * @param fd socket descriptor
 * @param umyaddr user pointer to the address
 * @param addrlen its length
 * @return 0, or -1 with errno set
 */
int sys_bind(int fd, const struct sockaddr *umyaddr, socklen_t addrlen)
{
	struct sockaddr_storage address;
	struct socket *sock;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return syscall_ret(err);

	memset(&address, 0, sizeof(address));
	err = move_addr_to_kernel(umyaddr, (int)addrlen, &address);
	if (!err)
		err = sock->ops->bind(sock, (struct sockaddr *)&address, (int)addrlen);
	sockfd_put(sock);
	return syscall_ret(err);
}

/*
 * listen(2) (port of __sys_listen()): the backlog is capped at
 * net.core.somaxconn, and a negative one becomes that cap.
 * @param fd socket descriptor
 * @param backlog accept queue length
 * @return 0, or -1 with errno set
 */
int sys_listen(int fd, int backlog)
{
	struct socket *sock;
	long somaxconn = 4096;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return syscall_ret(err);

	net_sysctl_read(NET_SYSCTL_SOMAXCONN, &somaxconn, 1);
	if ((unsigned int)backlog > (unsigned long)somaxconn)
		backlog = (int)somaxconn;
	err = sock->ops->listen(sock, backlog);
	sockfd_put(sock);
	return syscall_ret(err);
}

/*
 * accept(2) (port of do_accept()).
 *
 * The accepted socket gets the listener's type and operations.  If the
 * peer address cannot be written back (bad pointer, negative length), the
 * connection is dropped and the call fails, as on Linux.
 *
 * @param fd listening socket
 * @param upeer_sockaddr where the peer address goes, or NULL
 * @param upeer_addrlen in/out length, or NULL when @p upeer_sockaddr is
 * @return a new descriptor, or -1 with errno set
 */
int sys_accept(int fd, struct sockaddr *upeer_sockaddr, socklen_t *upeer_addrlen)
{
	struct sockaddr_storage address;
	struct socket *sock, *newsock;
	struct file *newfile;
	int err, len, newfd;

	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return syscall_ret(err);

	newsock = calloc(1, sizeof(*newsock));
	if (!newsock) {
		err = -ENFILE;
		goto out_put;
	}
	newsock->type = sock->type;
	newsock->ops = sock->ops;

	err = sock->ops->accept(sock, newsock, (int)sock->file->f_flags);
	if (err < 0) {
		free(newsock);
		goto out_put;
	}

	newfile = alloc_file(&socket_file_ops, newsock, FMODE_READ | FMODE_WRITE, O_RDWR);
	if (!newfile) {
		sock_release(newsock);
		err = -ENFILE;
		goto out_put;
	}
	newsock->file = newfile;

	if (upeer_sockaddr) {
		memset(&address, 0, sizeof(address));
		len = newsock->ops->getname(newsock, (struct sockaddr *)&address, 2);
		if (len < 0) {
			err = -ECONNABORTED;
			goto out_fput;
		}
		err = move_addr_to_user(&address, len, upeer_sockaddr, upeer_addrlen);
		if (err < 0)
			goto out_fput;
	}

	newfd = fd_install_new(newfile);
	if (newfd < 0) {
		err = newfd;
		goto out_fput;
	}
	sockfd_put(sock);
	return newfd;

out_fput:
	fput(newfile);		/* releases the accepted socket */
out_put:
	sockfd_put(sock);
	return syscall_ret(err);
}

/*
 * connect(2) (port of __sys_connect()): the descriptor must be open, then
 * the address is copied, and only then must the descriptor be a socket.
 * @param fd socket descriptor
 * @param uservaddr user pointer to the peer address
 * @param addrlen its length
 * @return 0, or -1 with errno set
 */
int sys_connect(int fd, const struct sockaddr *uservaddr, socklen_t addrlen)
{
	struct sockaddr_storage address;
	struct socket *sock;
	struct file *file;
	int err;

	file = fget(fd);
	if (!file)
		return syscall_ret(-EBADF);

	memset(&address, 0, sizeof(address));
	err = move_addr_to_kernel(uservaddr, (int)addrlen, &address);
	if (err)
		goto out;

	sock = sock_from_file(file);
	if (!sock) {
		err = -ENOTSOCK;
		goto out;
	}
	err = sock->ops->connect(sock, (struct sockaddr *)&address, (int)addrlen,
				 (int)file->f_flags);
out:
	fput(file);
	return syscall_ret(err);
}

/*
 * getsockname(2) (port of __sys_getsockname()).
 * @param fd socket descriptor
 * @param usockaddr where the address goes (truncated to *@p usockaddr_len)
 * @param usockaddr_len in: room; out: the full length
 * @return 0, or -1 with errno set
 */
int sys_getsockname(int fd, struct sockaddr *usockaddr, socklen_t *usockaddr_len)
{
	struct sockaddr_storage address;
	struct socket *sock;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return syscall_ret(err);

	memset(&address, 0, sizeof(address));
	err = sock->ops->getname(sock, (struct sockaddr *)&address, 0);
	if (err >= 0)
		/* err is the address length */
		err = move_addr_to_user(&address, err, usockaddr, usockaddr_len);
	sockfd_put(sock);
	return syscall_ret(err);
}

/* Port of sock_use_custom_sol_socket(): MPTCP handles SOL_SOCKET itself. */
static bool sock_use_custom_sol_socket(const struct socket *sock)
{
	return sk_is_inet(sock->sk) && sock->sk->sk_protocol == IPPROTO_MPTCP;
}

/*
 * setsockopt(2) (port of __sys_setsockopt() and do_sock_setsockopt()).
 * @param fd socket descriptor
 * @param level SOL_SOCKET or a protocol level
 * @param optname option
 * @param optval user pointer to the value
 * @param optlen its length (a value above INT_MAX is negative to the kernel: EINVAL)
 * @return 0, or -1 with errno set
 */
int sys_setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen)
{
	struct socket *sock;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return syscall_ret(err);

	if ((int)optlen < 0)
		err = -EINVAL;
	else if (level == SOL_SOCKET && !sock_use_custom_sol_socket(sock))
		err = sock_setsockopt(sock, level, optname, optval, optlen);
	else if (!sock->ops->setsockopt)
		err = -EOPNOTSUPP;
	else
		err = sock->ops->setsockopt(sock, level, optname, optval, optlen);
	sockfd_put(sock);
	return syscall_ret(err);
}

/*
 * getsockopt(2) (port of __sys_getsockopt() and do_sock_getsockopt()).
 * @param fd socket descriptor
 * @param level SOL_SOCKET or a protocol level
 * @param optname option
 * @param optval user pointer for the value
 * @param optlen user pointer: room in, bytes written out
 * @return 0, or -1 with errno set
 */
int sys_getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)
{
	struct socket *sock;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return syscall_ret(err);

	if (level == SOL_SOCKET)
		err = sock_getsockopt(sock, level, optname, optval, (int *)optlen);
	else if (!sock->ops->getsockopt)
		err = -EOPNOTSUPP;
	else
		err = sock->ops->getsockopt(sock, level, optname, optval, (int *)optlen);
	sockfd_put(sock);
	return syscall_ret(err);
}

/*
 * shutdown(2) (port of __sys_shutdown()).
 * @param fd socket descriptor
 * @param how SHUT_RD, SHUT_WR or SHUT_RDWR
 * @return 0, or -1 with errno set
 */
int sys_shutdown(int fd, int how)
{
	struct socket *sock;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return syscall_ret(err);
	err = sock->ops->shutdown(sock, how);
	sockfd_put(sock);
	return syscall_ret(err);
}

/* The protocol's sendto()/recvfrom(), if the port models them for @sock. */
static const struct inet_proto *sock_inet_proto(const struct socket *sock)
{
	if (!sock->sk || !sk_is_inet(sock->sk))
		return NULL;
	return inet_prot(sock->sk);
}

/*
 * sendto(2) (port of __sys_sendto()).  A length beyond INT_MAX is cut to
 * INT_MAX before anything else, as in Linux; the address is copied in
 * before the protocol sees it.  Only UDP sockets send.
 * @param fd socket descriptor
 * @param buff the payload
 * @param len its length
 * @param flags MSG_* flags
 * @param addr destination or NULL
 * @param addr_len its length
 * @return bytes sent, or -1 with errno set
 */
ssize_t sys_sendto(int fd, const void *buff, size_t len, int flags,
		   const struct sockaddr *addr, socklen_t addr_len)
{
	const struct inet_proto *prot;
	struct sockaddr_storage address;
	struct socket *sock;
	int err;

	if (len > INT_MAX)
		len = INT_MAX;
	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return syscall_ret(err);

	memset(&address, 0, sizeof(address));
	if (addr) {
		err = move_addr_to_kernel(addr, (int)addr_len, &address);
		if (err < 0)
			goto out;
	}
	prot = sock_inet_proto(sock);
	if (!prot || !prot->sendmsg) {
		err = -EOPNOTSUPP;	/* not modelled for this kind of socket */
		goto out;
	}
	if (sock->file->f_flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	err = prot->sendmsg(sock->sk, buff, len, flags,
			    addr ? (struct sockaddr *)&address : NULL, addr ? (int)addr_len : 0);
out:
	sockfd_put(sock);
	return syscall_ret(err);
}

/*
 * recvfrom(2) (port of __sys_recvfrom()).  The sender's address is copied
 * out only when the caller asked for it, truncated to the room given.
 * @param fd socket descriptor
 * @param ubuf where the payload goes
 * @param size room at @p ubuf
 * @param flags MSG_* flags
 * @param addr where the sender's address goes, or NULL
 * @param addr_len in: room at @p addr; out: the full length
 * @return bytes received, or -1 with errno set
 */
ssize_t sys_recvfrom(int fd, void *ubuf, size_t size, int flags,
		     struct sockaddr *addr, socklen_t *addr_len)
{
	const struct inet_proto *prot;
	struct sockaddr_storage address;
	struct socket *sock;
	int err, len = 0;

	if (size > INT_MAX)
		size = INT_MAX;
	sock = sockfd_lookup(fd, &err);
	if (!sock)
		return syscall_ret(err);

	prot = sock_inet_proto(sock);
	if (!prot || !prot->recvmsg) {
		err = -EOPNOTSUPP;
		goto out;
	}
	if (sock->file->f_flags & O_NONBLOCK)
		flags |= MSG_DONTWAIT;
	err = prot->recvmsg(sock->sk, ubuf, size, flags, &address, &len);
	if (err >= 0 && addr) {
		int err2 = move_addr_to_user(&address, len, addr, addr_len);

		if (err2 < 0)
			err = err2;
	}
out:
	sockfd_put(sock);
	return syscall_ret(err);
}
