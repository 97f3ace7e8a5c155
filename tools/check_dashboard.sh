#!/usr/bin/env bash
# Renders a dashboard HTML file in headless Chromium and checks it as a reader would see it:
#   1. the rendered DOM holds at least MIN_CHARTS inline <svg> charts;
#   2. the browser console shows no message at all (the page has no script, so any console
#      line is a problem: a script error, a blocked or missing resource, a parse complaint);
#   3. a screenshot of the whole page is saved to PNG_OUT.
#
# Usage: tools/check_dashboard.sh HTML_FILE PNG_OUT [MIN_CHARTS]   (MIN_CHARTS defaults to 1)
#
# Exits 0 with "chromium not found; skipping" where Chromium is not installed (Debian:
# `apt-get install -y chromium chromium-driver`), so CI without a browser does not fail.
#
# The console detection was checked against a page with a deliberate error,
# `<script>console.error("x"); undefinedFn();</script>`: Chromium 156 logs both lines to
# stderr as `INFO:CONSOLE:1] "x", source: ...` and `INFO:CONSOLE:1] "Uncaught ReferenceError:
# ...`, and this script fails on them. (console.error is logged at INFO level, so the grep
# looks for CONSOLE and "Uncaught", not for the ERROR level, which Chromium also uses for
# harmless D-Bus messages on a machine without a session bus.)
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
    echo "usage: $0 HTML_FILE PNG_OUT [MIN_CHARTS]" >&2
    exit 2
fi
html=$1
png=$2
min_charts=${3:-1}
if ! [[ $min_charts =~ ^[0-9]+$ ]]; then
    echo "MIN_CHARTS must be a whole number, got '$min_charts'" >&2
    exit 2
fi

chromium=""
for candidate in "${CHROMIUM:-}" chromium chromium-browser google-chrome; do
    if [[ -n $candidate ]] && command -v "$candidate" >/dev/null 2>&1; then
        chromium=$(command -v "$candidate")
        break
    fi
done
if [[ -z $chromium ]]; then
    echo "chromium not found; skipping"
    exit 0
fi
if [[ ! -f $html ]]; then
    echo "no such file: $html" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
page=$(realpath "$html")
png_dir=$(dirname "$png")
mkdir -p "$png_dir"
png_abs="$(realpath "$png_dir")/$(basename "$png")"

# One fresh profile per run; no network services, no first-run UI, no sandbox (root).
run_chromium() {
    local profile
    profile=$(mktemp -d "$work/profile.XXXXXX")
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --user-data-dir="$profile" --enable-logging=stderr --v=0 "$@"
}

# 1 and 2: the rendered DOM and the console of the page itself.
run_chromium --dump-dom "file://$page" >"$work/dom.html" 2>"$work/console.log"
charts=$( (grep -o '<svg' "$work/dom.html" || true) | wc -l)
if ((charts < min_charts)); then
    echo "FAIL: the rendered page has $charts <svg> charts, expected at least $min_charts" >&2
    exit 1
fi
if grep -E ':CONSOLE(\(|:)|Uncaught' "$work/console.log" >"$work/errors.txt"; then
    echo "FAIL: the browser console reported:" >&2
    cat "$work/errors.txt" >&2
    exit 1
fi

# 3: a screenshot of the whole page. Headless Chromium shoots the window, so the page's
# height is measured first on a copy with a one-line script that writes it into the title;
# the page under test is never modified.
width=1280
measure="$work/measure.html"
cp "$page" "$measure"
printf '%s\n' '<script>document.title = "height=" + document.documentElement.scrollHeight;</script>' >>"$measure"
height=$(run_chromium --window-size="$width,1000" --dump-dom "file://$measure" 2>/dev/null |
    grep -o 'height=[0-9]*' | head -n 1 | cut -d= -f2 || true)
if ! [[ ${height:-} =~ ^[0-9]+$ ]] || ((height < 200)); then
    height=4000
fi
# Chromium caps very tall windows; 16000 px covers any dashboard this project draws.
if ((height > 16000)); then
    height=16000
fi
run_chromium --window-size="$width,$height" --screenshot="$png_abs" "file://$page" \
    >"$work/shot.log" 2>&1 || true
if [[ ! -s $png_abs ]]; then
    echo "FAIL: no screenshot written to $png" >&2
    tail -n 20 "$work/shot.log" >&2
    exit 1
fi

echo "OK: $charts charts, no console messages, screenshot ${width}x${height} at $png"
