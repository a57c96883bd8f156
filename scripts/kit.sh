#!/usr/bin/env bash
# kit.sh - build the default files of the communication kit from assets/kit/.
#
# Usage: scripts/kit.sh OUTDIR
#
# Writes into OUTDIR: logo.svg, logo.png, logo-negativo.svg,
# logo-negativo.png, modello-presentazione.odp, foglio-firme.odt,
# volantino-helpdesk.pdf, brochure.pdf, comunicato-standard.txt.
# Everything is built and checked in a temporary directory first, so a
# failed run leaves OUTDIR untouched. Output is reproducible: fixed zip
# mtimes and SOURCE_DATE_EPOCH for the PDF dates. Quiet on success.
#
# Needs: rsvg-convert (librsvg2-bin), zip, pdfinfo (poppler-utils), file,
# python3. Fonts: Titillium Web from bootstrap-italia
# in node_modules when present (scripts/deps.sh installs it), else the
# fallback named in the SVG sources (DejaVu Sans, fonts-dejavu-core).
set -euo pipefail

die() {
	echo "kit: $*" >&2
	exit 1
}

[ "$#" -eq 1 ] || {
	echo "usage: $0 OUTDIR" >&2
	exit 2
}

root=$(cd "$(dirname "$0")/.." && pwd)
src="$root/assets/kit"
outdir=$1

for cmd in rsvg-convert zip pdfinfo file; do
	command -v "$cmd" >/dev/null 2>&1 || die "missing command: $cmd"
done
if [ -x /usr/bin/python3 ]; then
	py=/usr/bin/python3
else
	py=$(command -v python3) || die "missing command: python3"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out="$tmp/out"
mkdir "$out"

# Reproducible builds: cairo stamps PDFs with SOURCE_DATE_EPOCH instead of
# the current time; zip stores local times, so pin the zone too.
export SOURCE_DATE_EPOCH=1767225600 # 2026-01-01 00:00:00 UTC
export TZ=UTC
stamp='2026-01-01 00:00:00 UTC'

# The identity font ships with bootstrap-italia as TTF. A private fontconfig
# file adds it without installing anything system-wide; its cache goes in
# the temporary directory.
fontdir="$root/node_modules/bootstrap-italia/dist/fonts/Titillium_Web"
if compgen -G "$fontdir/*.ttf" >/dev/null; then
	cat >"$tmp/fonts.conf" <<EOF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <cachedir>$tmp/fontcache</cachedir>
  <dir>$fontdir</dir>
  <!-- The web build names its 600 weight as a family of its own: fold it
       back into "Titillium Web" so font-weight="600" finds it. -->
  <match target="scan">
    <test name="family"><string>Titillium Web SemiBold</string></test>
    <edit name="family" mode="assign_replace"><string>Titillium Web</string></edit>
    <edit name="weight" mode="assign"><const>semibold</const></edit>
  </match>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
</fontconfig>
EOF
	export FONTCONFIG_FILE="$tmp/fonts.conf"
else
	echo "kit: Titillium Web not found in node_modules (run scripts/deps.sh): using the fallback font" >&2
fi

svg2png() { # SVG PNG [WIDTH]
	if [ "$#" -eq 3 ]; then
		rsvg-convert -f png -w "$3" -o "$2" "$1"
	else
		rsvg-convert -f png -o "$2" "$1"
	fi
}

svg2pdf() { # PDF SVG... (one page per SVG)
	local pdf=$1
	shift
	rsvg-convert -f pdf -o "$pdf" "$@"
}

# pack_odf DIR NAME: zip the ODF package sources of assets/kit/DIR into
# $out/NAME, adding the pictures and the thumbnail rendered from SVG.
pack_odf() {
	local dir="$tmp/$1"
	cp -R "$src/$1" "$dir"
	rm -f "$dir/thumbnail.svg"
	mkdir -p "$dir/Pictures" "$dir/Thumbnails"
	svg2png "$src/$1/thumbnail.svg" "$dir/Thumbnails/thumbnail.png"
	cp "$out/logo.png" "$dir/Pictures/logo.png"
	if grep -q 'Pictures/logo-negativo.png' "$dir/META-INF/manifest.xml"; then
		cp "$out/logo-negativo.png" "$dir/Pictures/logo-negativo.png"
	fi
	chmod -R u=rwX,go=rX "$dir"
	find "$dir" -exec touch -h -d "$stamp" {} +
	# ODF: "mimetype" first and stored, so that its media type sits at a
	# fixed offset; then the rest, compressed, in a stable order, files
	# only (no directory entries).
	(
		cd "$dir"
		zip -q -X -0 "$out/$2" mimetype
		find . -type f ! -name mimetype | sed 's|^\./||' | LC_ALL=C sort |
			zip -q -X -9 -@ "$out/$2"
	)
}

cp "$src/logo.svg" "$src/logo-negativo.svg" "$src/comunicato-standard.txt" "$out/"
svg2png "$src/logo.svg" "$out/logo.png" 1200
svg2png "$src/logo-negativo.svg" "$out/logo-negativo.png" 1200
pack_odf modello-presentazione modello-presentazione.odp
pack_odf foglio-firme foglio-firme.odt
svg2pdf "$out/volantino-helpdesk.pdf" "$src/volantino-helpdesk.svg"
# One rsvg-convert call for both pages, not pdfunite: pdfunite writes a
# random document /ID, which would break reproducibility.
svg2pdf "$out/brochure.pdf" "$src/brochure-1.svg" "$src/brochure-2.svg"

# Checks: the media type of every output, the PDF page counts, the ODF
# package structure.
expect=(
	logo.svg:image/svg+xml
	logo.png:image/png
	logo-negativo.svg:image/svg+xml
	logo-negativo.png:image/png
	modello-presentazione.odp:application/vnd.oasis.opendocument.presentation
	foglio-firme.odt:application/vnd.oasis.opendocument.text
	volantino-helpdesk.pdf:application/pdf
	brochure.pdf:application/pdf
	comunicato-standard.txt:text/plain
)
for e in "${expect[@]}"; do
	f=${e%%:*}
	want=${e#*:}
	[ -f "$out/$f" ] || die "$f was not built"
	got=$(file --brief --mime-type "$out/$f")
	[ "$got" = "$want" ] || die "$f: media type $got, expected $want"
done

pages() {
	pdfinfo "$1" | sed -n 's/^Pages:[[:space:]]*//p'
}
[ "$(pages "$out/volantino-helpdesk.pdf")" = 1 ] || die "volantino-helpdesk.pdf: expected 1 page"
[ "$(pages "$out/brochure.pdf")" = 2 ] || die "brochure.pdf: expected 2 pages"

# Each ODF: mimetype first, stored, with the right value; every XML part
# well-formed; the manifest lists exactly the files in the package.
"$py" - "$out/modello-presentazione.odp" "$out/foglio-firme.odt" <<'PY' || die "invalid ODF package (see above)"
import os
import sys
import zipfile
import xml.dom.minidom

MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
TYPES = {
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
}
ok = True
for path in sys.argv[1:]:
    def bad(msg):
        global ok
        ok = False
        print(f"kit: {os.path.basename(path)}: {msg}", file=sys.stderr)

    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        first = infos[0]
        if first.filename != "mimetype" or first.compress_type != zipfile.ZIP_STORED:
            bad("mimetype is not the first entry, stored")
        if z.read("mimetype").decode("ascii") != TYPES[path[-4:]]:
            bad("wrong mimetype")
        names = {i.filename for i in infos}
        for n in sorted(names):
            if n.endswith(".xml"):
                try:
                    xml.dom.minidom.parseString(z.read(n))
                except Exception as exc:
                    bad(f"{n} is not well-formed: {exc}")
        if "content.xml" not in names:
            bad("no content.xml")
        man = xml.dom.minidom.parseString(z.read("META-INF/manifest.xml"))
        listed = {
            e.getAttributeNS(MANIFEST_NS, "full-path")
            for e in man.getElementsByTagNameNS(MANIFEST_NS, "file-entry")
        }
        listed.discard("/")
        for n in sorted(listed - names):
            bad(f"manifest lists missing {n}")
        for n in sorted(names - listed - {"mimetype", "META-INF/manifest.xml"}):
            bad(f"{n} is not in the manifest")
sys.exit(0 if ok else 1)
PY

mkdir -p "$outdir"
for e in "${expect[@]}"; do
	cp "$out/${e%%:*}" "$outdir/"
done
echo "kit: ${#expect[@]} files in $outdir"
