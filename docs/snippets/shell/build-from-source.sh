#!/bin/sh
# Build a release binary without make, and install it as /usr/local/bin/belfry.
set -eu
sudo apt-get install -y --no-install-recommends libsqlite3-dev libssl-dev libgit2-dev
swift build -c release --product belfry
sudo install -m 0755 "$(swift build -c release --show-bin-path)/belfry" /usr/local/bin/belfry
