#!/bin/sh
# Type-checks the native crate for every release target whose Rust standard library is
# installed (rustup target add <triple>), without a C cross compiler: the build scripts'
# C/assembly parts (psm, under stacker) get a stand-in compiler and archiver, which is
# harmless because `cargo check` never links. The release workflow builds for real.
#   sh scripts/check-targets.sh [triple ...]
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
fake_ar=$(mktemp)
trap 'rm -f "$fake_ar"' EXIT
cat > "$fake_ar" <<'AR'
#!/bin/sh
for a in "$@"; do case "$a" in -out:*|-OUT:*|/OUT:*|/out:*) touch "${a#*:}";; *.a|*.lib) touch "$a";; esac; done
AR
chmod +x "$fake_ar"
targets=${*:-"x86_64-unknown-linux-gnu x86_64-unknown-linux-musl aarch64-unknown-linux-gnu aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc"}
installed=$(rustup target list --installed 2>/dev/null)
status=0
for target in $targets; do
  if ! printf '%s\n' "$installed" | grep -qx "$target"; then echo "skip  $target (rustup target add $target)"; continue; fi
  var=$(printf '%s' "$target" | tr '-' '_')
  if env "CC_$var=true" "AR_$var=$fake_ar" cargo check --quiet --manifest-path "$root/native/Cargo.toml" --target "$target" 2>/dev/null; then
    echo "ok    $target"
  else
    echo "FAIL  $target (rerun: cargo check --manifest-path native/Cargo.toml --target $target)"; status=1
  fi
done
exit $status
