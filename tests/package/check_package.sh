#!/usr/bin/env bash
# check_package.sh BUILD_DIR SOURCE_DIR VERSION
# Builds the Debian package from BUILD_DIR (cpack, into a temporary directory) and checks what it
# holds and declares; then installs BUILD_DIR with prefix /usr into a DESTDIR and runs the
# installed binary on an installed scenario. Nothing is installed on this host.
set -euo pipefail
build=$1 source=$2 version=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$tmp" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/deb" >"$tmp/cpack.log" 2>&1) ||
  { cat "$tmp/cpack.log" >&2; fail "cpack -G DEB"; }
debs=("$tmp"/deb/*.deb)
if ((${#debs[@]} != 1)) || [[ ! -f ${debs[0]} ]]; then fail "expected one .deb, found: ${debs[*]}"; fi
deb=${debs[0]}
echo "package: $(basename "$deb")"

dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$tmp/contents"
expected=(
  /usr/bin/faultline
  /usr/libexec/faultline/faultline-delayer
  /usr/libexec/faultline/faultline-pause
  /usr/share/man/man1/faultline.1.gz
  /usr/share/bash-completion/completions/faultline
  /usr/share/faultline/scenarios/schema.json
  /usr/share/doc/faultline/README.md
)
for scenario in "$source"/scenarios/*.yaml; do
  expected+=("/usr/share/faultline/scenarios/$(basename "$scenario")")
done
for path in "${expected[@]}"; do
  grep -qx "$path" "$tmp/contents" || fail "$path is not in the package"
done
echo "contents: ${#expected[@]} expected paths present"

field() { dpkg-deb -f "$deb" "$1"; }
[[ $(field Package) == faultline ]] || fail "Package: $(field Package)"
[[ $(field Version) == "$version" ]] || fail "Version: $(field Version), expected $version"
[[ $(field Section) == utils ]] || fail "Section: $(field Section)"
depends=$(field Depends)
[[ $depends == *libc6* ]] || fail "Depends lacks libc6 (dpkg-shlibdeps): '$depends'"
[[ $depends == *golang-github-containers-common* ]] || fail "Depends lacks the seccomp profile's package"
[[ $(field Recommends) == *runc* && $(field Recommends) == *iptables* ]] ||
  fail "Recommends: $(field Recommends)"
[[ -n $(field Maintainer) && -n $(field Description) ]] || fail "Maintainer or Description empty"
echo "Depends: $depends"

# The man page and the completion as the package ships them.
dpkg-deb -x "$deb" "$tmp/x"
gzip -t "$tmp/x/usr/share/man/man1/faultline.1.gz" || fail "man page is not gzip"
zcat "$tmp/x/usr/share/man/man1/faultline.1.gz" >"$tmp/faultline.1"
for verb in run validate gate compare report doctor recover trace cluster; do
  grep -qx ".SS $verb" "$tmp/faultline.1" || fail "man page has no section for $verb"
done
if command -v groff >/dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$tmp/faultline.1" 2>&1) || true
  [[ -z $warnings ]] || fail "groff: $warnings"
fi
completion=$tmp/x/usr/share/bash-completion/completions/faultline
bash -n "$completion" || fail "completion: syntax"
complete_words() {  # WORD... : what the completion offers for the last word
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _faultline
           printf "%s\n" "${COMPREPLY[@]}"' _ "$completion" "$@"
}
[[ $(complete_words faultline va) == validate ]] || fail "completion of a verb"
[[ $(complete_words faultline run --o) == --out ]] || fail "completion of run's --out"
[[ $(complete_words faultline cluster s) == status ]] || fail "completion of cluster's sub-verb"
[[ $(complete_words faultline compare --thr) == --threshold ]] || fail "completion of --threshold"
echo "man page and completion: ok"

# The installed layout, staged under a DESTDIR: the binary finds what it needs from there.
DESTDIR=$tmp/root cmake --install "$build" --prefix /usr >"$tmp/install.log" ||
  { cat "$tmp/install.log" >&2; fail "cmake --install"; }
root=$tmp/root
[[ -x $root/usr/libexec/faultline/faultline-delayer ]] || fail "delayer not installed"
"$root/usr/bin/faultline" --version | grep -q "faultline $version" || fail "--version"
"$root/usr/bin/faultline" validate "$root/usr/share/faultline/scenarios/quickstart.yaml" ||
  fail "installed faultline cannot validate the installed quickstart scenario"
echo "PASS"
