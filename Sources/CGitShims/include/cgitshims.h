// Wrappers for libgit2 functions Swift cannot call directly (variadic git_libgit2_opts).
#pragma once
#include <git2.h>

/// Turns libgit2's repository-owner validation on (1) or off (0).
int cg_set_owner_validation(int enabled);
