#!/usr/bin/env bash
# Runs one comparison of benches/compare: the Rust benchmark binary and its Python peers on the
# same generated file, in the same run, and prints the times and the ratios.
#
#   benches/compare/run.sh NAME [ROWS] [REPEATS]
#   NAME: survey_bucketing | experiment_readout | nps_segment_month | funnel_retention |
#         vader_sentiment (ROWS = texts)
#
# A comparison NAME consists of
#   benches/compare/NAME.rs        a [[bench]] target `compare_NAME` (harness = false) that
#                                  takes FILE [REPEATS] and prints one JSON object
#   benches/compare/peers/NAME.py  the peer, same arguments, same JSON shape (or several
#                                  peers, peers/NAME_<peer>.py)
#   a data recipe in data_for() below
# Both print {"impl", "seconds", ...results}; compare.py checks the results agree before it
# reports a ratio, so a fast wrong answer cannot pass.
set -euo pipefail

name=${1:?usage: run.sh NAME [ROWS] [REPEATS]}
rows=${2:-10000000}
repeats=${3:-5}
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PRODOPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/prodops}
venv=$cache/venv-compare
data=$root/bench-data

cd "$root"
if [[ ! -x $venv/bin/python ]] || ! cmp -s benches/compare/requirements.txt "$venv/requirements.txt"; then
    echo "setting up peer virtualenv in $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -r benches/compare/requirements.txt
    cp benches/compare/requirements.txt "$venv/requirements.txt"
fi

data_for() {
    case $1 in
        survey_bucketing | nps_segment_month)
            local dir=$data/surveys-$rows
            if [[ ! -f $dir/surveys.parquet ]]; then
                echo "generating $rows survey rows in $dir" >&2
                cargo run --quiet --release --example generate_sample_data -- \
                    --rows "$rows" --only surveys --format parquet --out "$dir" >&2
            fi
            echo "$dir/surveys.parquet"
            ;;
        experiment_readout)
            local dir=$data/experiment-$rows
            if [[ ! -f $dir/experiment.parquet ]]; then
                echo "generating $rows experiment units in $dir" >&2
                cargo run --quiet --release --example generate_sample_data -- \
                    --rows "$rows" --only experiment --format parquet --out "$dir" >&2
            fi
            echo "$dir/experiment.parquet"
            ;;
        funnel_retention)
            local dir=$data/events-$rows
            if [[ ! -f $dir/events.parquet ]]; then
                echo "generating about $rows events in $dir" >&2
                cargo run --quiet --release --example generate_sample_data -- \
                    --rows "$rows" --only events --format parquet --out "$dir" >&2
            fi
            echo "$dir/events.parquet"
            ;;
        vader_sentiment)
            # The 23,703 human-rated ICWSM-14 texts (fetched with sha256 checks, not
            # committed), cycled to $rows lines: id<TAB>rating<TAB>text in, text out.
            local dir=$data/vader-$rows
            if [[ ! -f $dir/texts.txt ]]; then
                local icwsm
                icwsm=$(bash crates/feedback/fixtures/fetch_icwsm.sh)
                echo "writing $rows texts in $dir" >&2
                mkdir -p "$dir"
                LC_ALL=C awk -v n="$rows" '
                    { sub(/\r$/, "") }
                    match($0, /^[^\t]*\t[^\t]*\t/) { t[k++] = substr($0, RLENGTH + 1) }
                    END { for (i = 0; i < n; i++) print t[i % k] }' \
                    "$icwsm"/tweets_GroundTruth.txt "$icwsm"/movieReviewSnippets_GroundTruth.txt \
                    "$icwsm"/amazonReviewSnippets_GroundTruth.txt "$icwsm"/nytEditorialSnippets_GroundTruth.txt \
                    >"$dir/texts.txt.tmp"
                mv "$dir/texts.txt.tmp" "$dir/texts.txt"
            fi
            echo "$dir/texts.txt"
            ;;
        *) echo "unknown comparison $1" >&2; exit 2 ;;
    esac
}

file=$(data_for "$name")
cargo bench --quiet --bench "compare_$name" --no-run >&2
rust_json=$(cargo bench --quiet --bench "compare_$name" -- "$file" "$repeats")
# One peer (peers/NAME.py) or several (peers/NAME_duckdb.py, peers/NAME_polars.py, ...).
peer_jsons=()
for peer in benches/compare/peers/"$name".py benches/compare/peers/"$name"_*.py; do
    [[ -f $peer ]] || continue
    peer_jsons+=("$("$venv/bin/python" "$peer" "$file" "$repeats")")
done
"$venv/bin/python" benches/compare/compare.py "$name" "$file" "$rust_json" "${peer_jsons[@]}"
