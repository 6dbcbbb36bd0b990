#!/usr/bin/env bash
# A Debian bullseye chroot (glibc 2.31, Python 3.9: the oldest CPython the abi3 wheel claims)
# for the install tests, made with debootstrap on first use and kept for the next runs:
#
#   root="$(release/debian-chroot.sh amd64)"     # or arm64: runs under qemu-user-static
#   release/debian-chroot.sh --run "$root" -- python3 --version
#
# The chroots live in ${VOICECODE_CHROOT_CACHE:-/var/cache/voicecode-chroots}, outside the
# repository. debootstrap takes the Debian mirror this machine's apt uses (or
# VOICECODE_DEBIAN_MIRROR). `--run` gives the command a private mount namespace with /proc
# mounted, so nothing stays mounted when it ends; the chroot shares the host's network, so the
# simulator on the host's 127.0.0.1 is reachable from inside. Needs root.
set -euo pipefail

suite=bullseye
# What the install tests use: Python with venv (ensurepip), gcc and pkg-config, musl-gcc (for
# the musl tarball), and on arm64 Debian's nodejs (12.22: the install test also tries it, beside
# the Node.js 20 it brings from the npm registry).
packages=python3,python3-venv,gcc,libc6-dev,pkg-config,musl-tools
cache="${VOICECODE_CHROOT_CACHE:-/var/cache/voicecode-chroots}"

if [[ "${1:-}" == --run ]]; then
    root="${2:?--run needs a chroot directory}"
    [[ "${3:-}" == -- ]] || { echo "usage: debian-chroot.sh --run ROOT -- COMMAND..." >&2; exit 2; }
    shift 3
    exec unshare --mount --propagation private -- sh -c '
        root="$1"; shift
        mount -t proc proc "$root/proc" || exit 1
        exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"' \
        sh "$root" "$@"
fi

arch="${1:?usage: debian-chroot.sh amd64|arm64}"
case "$arch" in
amd64 | arm64) ;;
*) echo "debian-chroot.sh: no chroot for $arch (amd64 or arm64)" >&2; exit 2 ;;
esac
((EUID == 0)) || { echo "debian-chroot.sh: debootstrap and chroot need root" >&2; exit 1; }
[[ "$arch" != arm64 ]] || packages+=,nodejs
root="$cache/$suite-$arch"
want="$suite $arch $packages"
cached=false
[[ "$(cat "$root/.voicecode-chroot" 2>/dev/null)" == "$want" ]] && cached=true

host_arch="$(dpkg --print-architecture)"
apt_packages=()
$cached || command -v debootstrap >/dev/null || apt_packages+=(debootstrap)
if [[ "$arch" != "$host_arch" ]]; then
    [[ -x /usr/bin/qemu-aarch64-static ]] || apt_packages+=(qemu-user-static)
    command -v update-binfmts >/dev/null || apt_packages+=(binfmt-support)
fi
if ((${#apt_packages[@]})); then
    echo "apt-get install ${apt_packages[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${apt_packages[@]}" >/dev/null
fi
if [[ "$arch" != "$host_arch" ]]; then
    # The kernel runs the chroot's arm64 programs through qemu when binfmt_misc knows them.
    [[ -f /proc/sys/fs/binfmt_misc/register ]] ||
        mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    update-binfmts --enable qemu-aarch64 >&2 2>/dev/null || true
    grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 ||
        { echo "debian-chroot.sh: binfmt_misc does not run aarch64 programs through qemu" >&2; exit 1; }
fi

if $cached; then
    echo "$root"
    exit 0
fi

# The mirror apt uses here: the first .../debian URI of its sources (not debian-security).
apt_mirror() {
    local sources=()
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*; do [[ -f "$file" ]] && sources+=("$file"); done
    ((${#sources[@]})) || return 0
    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^https?:\/\/.*\/debian\/?$/) { print $i; exit } }' "${sources[@]}"
}
mirror="${VOICECODE_DEBIAN_MIRROR:-}"
[[ -n "$mirror" ]] || mirror="$(apt_mirror)"
[[ -n "$mirror" ]] || { echo "debian-chroot.sh: no Debian mirror in /etc/apt/sources.list*; set VOICECODE_DEBIAN_MIRROR" >&2; exit 1; }

echo "debootstrap $suite $arch from $mirror into $root (once; minutes)" >&2
mkdir -p "$cache"
# --one-file-system: a debootstrap that failed half-way may have left /proc mounted inside.
rm -rf --one-file-system "$root.tmp"
debootstrap --arch="$arch" --variant=minbase --include="$packages" "$suite" "$root.tmp" "$mirror" >&2 ||
    { echo "debian-chroot.sh: debootstrap failed; its log: $root.tmp/debootstrap/debootstrap.log" >&2; exit 1; }
echo "$want" >"$root.tmp/.voicecode-chroot"
rm -rf --one-file-system "$root"
mv "$root.tmp" "$root"
echo "$root"
