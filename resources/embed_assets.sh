#!/usr/bin/env bash
# embed_assets.sh DIST_DIR OUT_DIR
#
# Compiles the built dashboard (frontend/dist) into the binary. Writes
#   OUT_DIR/embedded_assets.S    .incbin of every blob (assemble it: enable_language(ASM))
#   OUT_DIR/embedded_assets.cpp  the table declared in src/web/embedded_assets.h
#   OUT_DIR/blobs/<sha256>       identity, gzip and brotli bytes, named by content
# A missing or empty DIST_DIR yields a valid empty table, so the binary always builds.
#
# Run it as often as you like: the two sources are replaced only when their text changes,
# and the text names every blob by its hash, so ninja recompiles exactly when bytes change.
# Compressed variants are cached per identity hash, so an unchanged dist costs one sha256 pass.
# Needs bash, coreutils, gzip and brotli (Debian package `brotli`); no python.
set -euo pipefail
export LC_ALL=C

if [[ $# -ne 2 ]]; then
    echo "usage: $0 DIST_DIR OUT_DIR" >&2
    exit 2
fi
dist=${1%/}
[[ -n $dist ]] || dist=/
out=$2

for tool in gzip brotli sha256sum cmp find sort; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "embed_assets.sh: '$tool' not found (Debian: apt-get install gzip brotli coreutils diffutils findutils)" >&2
        exit 1
    fi
done

mkdir -p "$out/blobs"
out_abs=$(cd "$out" && pwd -P)
blobs=$out_abs/blobs
if [[ $out_abs == *$'\n'* ]]; then
    echo "embed_assets.sh: OUT_DIR must not contain a newline" >&2
    exit 1
fi
# The blob directory appears inside an assembler string literal.
blobs_lit=${blobs//\\/\\\\}
blobs_lit=${blobs_lit//\"/\\\"}

work=$(mktemp -d "$out_abs/.embed.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Bump when the compression settings change, so cached variant records are recomputed.
variant_recipe="gzip-9-n brotli-q11 v1"

declare -A keep=()      # blob directory entries referenced by this run
declare -A emitted=()   # blob hashes already given a symbol in the .S

sha256_of() {
    local h
    h=$(sha256sum <"$1")
    printf '%s' "${h%% *}"
}

# store_blob FILE HASH: put FILE into the blob store under its hash (atomic rename, so
# an interrupted run never leaves a truncated blob behind under a valid name).
store_blob() {
    local src=$1 h=$2
    keep[$h]=1
    if [[ -f $blobs/$h ]] && cmp -s "$src" "$blobs/$h"; then
        return
    fi
    cp "$src" "$work/blob"
    mv -f "$work/blob" "$blobs/$h"
}

content_type_for() {
    local name=${1##*/} ext=
    [[ $name == *.* ]] && ext=${name##*.}
    # Keep in sync with src/web/media_type.cpp (a unit test compares them on the real table).
    case ${ext,,} in
        html | htm) echo 'text/html; charset=utf-8' ;;
        js | mjs) echo 'text/javascript; charset=utf-8' ;;
        css) echo 'text/css; charset=utf-8' ;;
        svg) echo 'image/svg+xml' ;;
        json | map) echo 'application/json' ;;
        webmanifest) echo 'application/manifest+json' ;;
        txt) echo 'text/plain; charset=utf-8' ;;
        png) echo 'image/png' ;;
        jpg | jpeg) echo 'image/jpeg' ;;
        gif) echo 'image/gif' ;;
        webp) echo 'image/webp' ;;
        ico) echo 'image/x-icon' ;;
        woff) echo 'font/woff' ;;
        woff2) echo 'font/woff2' ;;
        wasm) echo 'application/wasm' ;;
        *) echo 'application/octet-stream' ;;
    esac
}

# C++ string literal for an arbitrary byte string (file names may hold anything but NUL).
cxx_literal() {
    local s=$1
    if [[ $s =~ ^[A-Za-z0-9._/@+=,~\ -]*$ ]]; then
        printf '"%s"' "$s"
    else
        # Octal escapes take at most three digits, so they cannot swallow what follows.
        printf '"%s"' "$(printf '%s' "$s" | od -An -v -to1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//; s/ /\\/g; s/^/\\/')"
    fi
}

# variants_for FILE IDHASH: sets GZ and BR to the variant hashes ('-' = not kept),
# compressing only when the cached record for this identity hash is missing or stale.
# Results go through globals: a $(...) subshell would lose the `keep` bookkeeping.
variants_for() {
    local f=$1 record=$blobs/$2.variants recipe size
    keep[$2.variants]=1
    GZ='' BR=''
    if [[ -f $record ]] && { read -r recipe && read -r GZ BR; } <"$record" &&
        [[ $recipe == "$variant_recipe" && -n $GZ && -n $BR ]] &&
        { [[ $GZ == - ]] || [[ -f $blobs/$GZ ]]; } &&
        { [[ $BR == - ]] || [[ -f $blobs/$BR ]]; }; then
        [[ $GZ == - ]] || keep[$GZ]=1
        [[ $BR == - ]] || keep[$BR]=1
        return
    fi
    size=$(stat -c %s "$f")
    GZ=- BR=-
    gzip -9 -n -c <"$f" >"$work/gz"
    if (($(stat -c %s "$work/gz") < size)); then
        GZ=$(sha256_of "$work/gz")
        store_blob "$work/gz" "$GZ"
    fi
    brotli -q 11 -c <"$f" >"$work/br"
    if (($(stat -c %s "$work/br") < size)); then
        BR=$(sha256_of "$work/br")
        store_blob "$work/br" "$BR"
    fi
    printf '%s\n%s %s\n' "$variant_recipe" "$GZ" "$BR" >"$work/record"
    mv -f "$work/record" "$record"
}

S=$work/embedded_assets.S
CPP=$work/embedded_assets.cpp
decls=$work/decls
rows=$work/rows
: >"$decls"
: >"$rows"

cat >"$S" <<'EOF'
/* Generated by resources/embed_assets.sh - do not edit.
   Each symbol is one blob named by its sha256; the .cpp carries the sizes and the
   .if/.error guard fails the build if a blob changed without regenerating the .cpp. */
EOF

# emit_blob HASH: one global symbol per blob (identical bytes share it); sets INIT to the
# C++ string_view initializer. Global result for the same reason as variants_for.
emit_blob() {
    local h=$1 size sym=iron_asset_blob_$1
    size=$(stat -c %s "$blobs/$h")
    if [[ -z ${emitted[$h]:-} ]]; then
        emitted[$h]=1
        cat >>"$S" <<EOT

	.section .rodata
	.balign 16
	.globl $sym
	.hidden $sym
	.type $sym, %object
$sym:
	.incbin "$blobs_lit/$h"
	.size $sym, . - $sym
	.if (. - $sym) - $size
	.error "embedded asset blob $h changed size; rerun embed_assets.sh"
	.endif
EOT
        printf 'extern const char %s[] __attribute__((visibility("hidden")));\n' "$sym" >>"$decls"
    fi
    INIT="{$sym, $size}"
}

count=0
if [[ -d $dist ]]; then
    (cd "$dist" && find . -type f -print0) >"$work/list"
    sort -z "$work/list" >"$work/sorted"
    while IFS= read -r -d '' f; do
        rel=${f#./}
        src=$dist/$rel
        id=$(sha256_of "$src")
        size=$(stat -c %s "$src")
        variants_for "$src" "$id"
        gz=$GZ br=$BR

        if ((size > 0)); then
            store_blob "$src" "$id"
            emit_blob "$id"
            id_init=$INIT
        else
            id_init='{}'   # an empty file has no bytes to .incbin
        fi
        gz_init='{}' gz_etag='""' br_init='{}' br_etag='""'
        if [[ $gz != - ]]; then
            emit_blob "$gz"
            gz_init=$INIT
            gz_etag="\"\\\"${gz:0:16}\\\"\""
        fi
        if [[ $br != - ]]; then
            emit_blob "$br"
            br_init=$INIT
            br_etag="\"\\\"${br:0:16}\\\"\""
        fi
        {
            printf '    {%s, "%s",\n' "$(cxx_literal "$rel")" "$(content_type_for "$rel")"
            printf '     %s, %s, %s,\n' "$id_init" "$gz_init" "$br_init"
            printf '     "\\"%s\\"", %s, %s},\n' "${id:0:16}" "$gz_etag" "$br_etag"
        } >>"$rows"
        count=$((count + 1))
    done <"$work/sorted"
fi

printf '\n\t.section .note.GNU-stack,"",%%progbits\n' >>"$S"

{
    echo '// Generated by resources/embed_assets.sh - do not edit.'
    echo '#include "web/embedded_assets.h"'
    echo
    if ((count > 0)); then
        echo 'extern "C" {'
        cat "$decls"
        echo '}'
        echo
        echo 'namespace iron::web {'
        echo 'namespace {'
        echo
        echo '// Sorted by path (bytewise), as EmbeddedAssetSource and its tests expect.'
        echo 'constexpr EmbeddedAsset kAssets[] = {'
        cat "$rows"
        echo '};'
        echo
        echo '}  // namespace'
        echo
        echo 'std::span<const EmbeddedAsset> embedded_assets() { return kAssets; }'
        echo
        echo '}  // namespace iron::web'
    else
        echo '// frontend/dist was missing or empty when this was generated: no dashboard.'
        echo 'namespace iron::web {'
        echo
        echo 'std::span<const EmbeddedAsset> embedded_assets() { return {}; }'
        echo
        echo '}  // namespace iron::web'
    fi
} >"$CPP"

# Replace outputs only when their text changed, so an unchanged dist rebuilds nothing.
for name in embedded_assets.S embedded_assets.cpp; do
    if ! cmp -s "$work/$name" "$out_abs/$name"; then
        mv -f "$work/$name" "$out_abs/$name"
    fi
done

# Drop blobs no longer referenced (old hashed chunks would otherwise pile up).
for entry in "$blobs"/*; do
    [[ -e $entry ]] || continue
    name=${entry##*/}
    [[ -n ${keep[$name]:-} ]] || rm -f -- "$entry"
done
