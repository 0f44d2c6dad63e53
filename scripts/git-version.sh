#!/bin/sh
# The build's version for meson's vcs_tag (src/common): `git describe --tags --dirty` when the history
# has a tag, else "<project version>-g<commit>[-dirty]". Exits non-zero outside a git checkout, and
# vcs_tag then uses the project version alone.
#   git-version.sh SOURCE_ROOT PROJECT_VERSION
cd "$1" || exit 1
git describe --tags --dirty 2>/dev/null && exit 0
commit=$(git describe --always --dirty --abbrev=12 2>/dev/null) || exit 1
echo "$2-g$commit"
