// epoll(7), eventfd(2), accept4(2) and pthread_setname_np(3) for BelfryEpoll (and niofloor's epoll engine): Swift's Glibc
// module has none of them (accept4 and pthread_setname_np need _GNU_SOURCE).
#pragma once
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

extern int pthread_setname_np(pthread_t thread, const char *name);
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
