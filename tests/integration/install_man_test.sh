#!/usr/bin/env bash
# `meson install` into a temporary --destdir: every installed binary prints the version the build embedded
# and has a man page (help2man, built with the binaries) named after it, in section 1, carrying the
# binary's NAME line and that version; man(1), when present, renders it.
#   install_man_test.sh BUILD_ROOT
set -euo pipefail
build=$1
dest=$(mktemp -d "/tmp/sf-install-man-$$-XXXXXX")
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --no-rebuild --destdir "$dest" > "$dest.log" 2>&1 || { cat "$dest.log"; rm -f "$dest.log"; exit 1; }
rm -f "$dest.log"

# The version this build embedded (meson vcs_tag): every installed binary must print it.
embedded=$(sed -n 's/.*kVcsVersion\[\] = "\(.*\)";/\1/p' "$build/src/common/version_tag.cpp")
[ -n "$embedded" ] || { echo "FAIL: no embedded version in $build/src/common/version_tag.cpp"; exit 1; }

mapfile -t bins < <(find "$dest" -path '*/bin/*' -type f -perm -u+x | sort)
((${#bins[@]} > 0)) || { echo "FAIL: nothing installed under bin/"; exit 1; }
failed=0
for bin in "${bins[@]}"; do
  name=$(basename "$bin")
  page=$(find "$dest" -path "*/man/man1/$name.1" -type f | head -1)
  if [ -z "$page" ]; then
    echo "FAIL: $name: no man page (add it to man/meson.build)"; failed=1; continue
  fi
  version=$("$bin" --version | head -1)  # "<name> <version>"
  before=$failed
  failed=0
  if ! grep -q "^\.TH \"\?${name^^}\"\? \"\?1\"\?" "$page"; then echo "FAIL: $page: no .TH ${name^^} 1"; failed=1; fi
  if ! grep -q '^\.SH NAME' "$page" || ! grep -q "^$name \\\\- " "$page"; then
    echo "FAIL: $page: no NAME line for $name"; failed=1
  fi
  if [ "$version" != "$name $embedded" ]; then echo "FAIL: $name --version: '$version', built '$embedded'"; failed=1; fi
  if ! grep -qF -- "${version#"$name "}" "$page"; then echo "FAIL: $page: not version ${version#"$name "}"; failed=1; fi
  if ! grep -qF -- '\-\-version' "$page"; then echo "FAIL: $page: options missing"; failed=1; fi
  if command -v man > /dev/null && ! man -P cat -l "$page" > /dev/null 2>&1; then
    echo "FAIL: man cannot render $page"; failed=1
  fi
  ((failed)) || echo "ok: $name -> ${page#"$dest"}"
  ((failed |= before)) || true
done
exit $failed
