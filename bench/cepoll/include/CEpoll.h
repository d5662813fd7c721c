// epoll(7) and accept4(2) for niofloor's epoll engine (bench/niofloor/EpollFloor.swift): Swift's
// Glibc module has neither (accept4 needs _GNU_SOURCE).
#pragma once
#include <sys/epoll.h>
#include <sys/socket.h>

extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
