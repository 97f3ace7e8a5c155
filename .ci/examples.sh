#!/usr/bin/env bash
# Runs every root example in debug on small inputs (a freshly generated small sample set, and
# the bundled data where it is already small) and checks one fact of each output against a
# value computed here from the input file, independently of prodops. Fails on the first
# example that fails or whose output is wrong. Takes well under a minute once built.
set -euo pipefail

cd "$(dirname "$0")/.."

if [[ -z ${CARGO_TARGET_DIR:-} ]]; then
    export CARGO_TARGET_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/prodops/target
fi
export CARGO_TERM_COLOR=never
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "::: build the examples"
cargo build --locked -p prodops --examples
bin=$CARGO_TARGET_DIR/debug/examples

# run NAME ARGS...: runs an example, keeps its output in $tmp/NAME.out and shows its head.
run() {
    local name=$1
    shift
    echo "::: $name $*"
    local started=$SECONDS
    if ! "$bin/$name" "$@" >"$tmp/$name.out" 2>&1; then
        cat "$tmp/$name.out"
        echo "FAILED: $name $*"
        exit 1
    fi
    head -n 12 "$tmp/$name.out"
    echo "::: $name took $((SECONDS - started)) s"
}

# expect NAME TEXT: the last output of NAME contains TEXT (a fixed string).
expect() {
    if ! grep -qF -- "$2" "$tmp/$1.out"; then
        echo "FAILED: $1 output lacks: $2"
        exit 1
    fi
}

# Small data: about 600 rows per large table (surveys, feedback, experiment units, events).
run generate_sample_data --rows 600 --out "$tmp/data" --format csv,parquet
expect generate_sample_data "tables written"
small=$tmp/data

run experiment_brief
expect experiment_brief "| sample_size_per_arm |"

# NPS: the first (segment, period) row must equal (promoters − detractors) / n counted by awk.
for input in data/surveys.csv "$small/surveys.csv"; do
    run nps_report --input "$input" --out "$tmp/nps.csv"
    read -r segment period n _ < <(sed -n 2p "$tmp/nps_report.out")
    want=$(awk -F, -v s="$segment" -v p="$period" '$6 == s && substr($2, 1, 7) == p {
        n++; if ($5 >= 9) pro++; else if ($5 <= 6) det++ }
        END { printf "%d %+.1f", n, 100 * (pro - det) / n }' "$input")
    got=$(sed -n 2p "$tmp/nps_report.out" | awk '{ print $3, $4 }')
    [[ $got == "$want" ]] || { echo "FAILED: NPS of $segment $period: got $got, awk $want"; exit 1; }
    echo "checked: $segment $period n and NPS $got = awk $want"
    head -n 1 "$tmp/nps.csv" | grep -q "nps,ci_low,ci_high" || { echo "FAILED: --out CSV header"; exit 1; }
done

# A/B read-out: the bundled experiment ships; its SRM twin is invalid; the control's share
# printed in the SRM line equals the share counted by awk.
run ab_readout
expect ab_readout "**Verdict: Ship.**"
run ab_readout --input data/experiment_srm.parquet
expect ab_readout "**Verdict: Invalid.**"
run ab_readout --input "$small/experiment.csv"
share=$(awk -F, 'NR > 1 { n++; if ($2 == "control") c++ } END { printf "%.2f", 100 * c / n }' "$small/experiment.csv")
expect ab_readout "shares $share% (planned 50.00%)"
echo "checked: control share $share% = awk"

# Sample size: n per arm = ⌈(z_{0.975} + z_{0.8})² (p₁q₁ + p₂q₂) / δ²⌉ with table quantiles;
# the planner inverts the exact two-sided power, so it may differ by one unit.
run sample_size
want=$(awk 'BEGIN { z = 1.959964 + 0.841621; p1 = 0.10; p2 = 0.105;
    n = z * z * (p1 * (1 - p1) + p2 * (1 - p2)) / (p2 - p1) ^ 2; print int(n) + (n > int(n)) }')
got=$(grep -o "fixed horizon: [0-9]* control" "$tmp/sample_size.out" | awk '{ print $3 }')
(( got - want <= 1 && want - got <= 1 )) || { echo "FAILED: sample size $got, closed form $want"; exit 1; }
echo "checked: $got units per arm, closed form $want"
run sample_size --baseline 0.12 --mde 0.01 --absolute --variants 3 --sequential
expect sample_size "over 3 comparison(s): 0.0167 each"
expect sample_size "sequential:"
run sample_size --metric mean --baseline 50 --sd 12 --mde 0.02 --allocation 2
expect sample_size "fixed horizon:"

# Feedback: every row is read, and no e-mail address survives redaction in the output.
run feedback_digest --input "$small/feedback.csv" --accounts "$small/accounts.csv"
expect feedback_digest "$(($(wc -l <"$small/feedback.csv") - 1)) rows read"
expect feedback_digest "top requests"
if grep -qE '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}' "$tmp/feedback_digest.out"; then
    echo "FAILED: an e-mail address is printed unredacted"
    exit 1
fi

# Funnel: everyone who signed up enters the funnel (distinct users counted by awk).
for input in data/events.csv "$small/events.parquet"; do
    run funnel_retention --input "$input"
    csv=${input%.*}.csv
    signed=$(awk -F, '$2 == "signed_up" { print $1 }' "$csv" | sort -u | wc -l)
    expect funnel_retention "$(printf '%-22s %7d' signed_up "$signed")"
    expect funnel_retention "average"
done

# Prioritization: the top RICE item and score computed by awk from the CSV; WSJF from TOML.
run prioritize
top=$(awk -F, 'NR > 1 { s = $3 * $4 * $5 / $6; if (s > best) { best = s; id = $1 } }
    END { printf "%-22s", id; print "|" best }' data/backlog.csv)
expect prioritize "   1  ${top%|*}"
expect prioritize "$(printf '%.2f' "${top#*|}")"
cat >"$tmp/candidates.toml" <<'EOF'
[[candidate]]
id = "sso"
title = "Single sign-on"
business_value = 13
time_criticality = 8
risk_reduction = 8
job_size = 5
[[candidate]]
id = "dark-mode"
title = "Dark mode"
business_value = 3
time_criticality = 2
risk_reduction = 1
job_size = 2
EOF
run prioritize --input "$tmp/candidates.toml" --framework wsjf
expect prioritize "   1  sso"          # (13 + 8 + 8) / 5 = 5.8 > (3 + 2 + 1) / 2 = 3
expect prioritize "5.80"

# Launch plan: three files; one calendar event per task.
run launch_plan --out "$tmp/plan"
tasks=$(grep -o "^[0-9]* tasks" "$tmp/launch_plan.out" | awk '{ print $1 }')
[[ $(grep -c "BEGIN:VEVENT" "$tmp/plan/plan.ics") == "$tasks" ]] || { echo "FAILED: ICS events"; exit 1; }
head -n 1 "$tmp/plan/gantt.mmd" | grep -qx "gantt" || { echo "FAILED: Gantt header"; exit 1; }
grep -q "^# Atlas tier-1 launch" "$tmp/plan/plan.md" || { echo "FAILED: Markdown title"; exit 1; }
run launch_plan --template experiment-brief --param experiment=checkout --out "$tmp/brief"
expect launch_plan "Experiment brief: checkout"
cat >"$tmp/my-launch.toml" <<'EOF'
id = "my-launch"
version = "0.1.0"
name = "{product} launch, our way"
description = "The built-in product launch at tier 2."
extends = "product-launch"

[[parameters]]
name = "tier"
kind = "int"
default = 2
allowed = [2]
description = "Fixed at 2."
EOF
run launch_plan --template "$tmp/my-launch.toml" --product Reports --out "$tmp/mine"
expect launch_plan "Reports launch, our way (my-launch 0.1.0), T = 2027-03-02"

# The main job on the small generated data (on the bundled data it runs as its own CI step).
run product_review --input "$small" --out "$tmp/review"
expect product_review "dashboard.html"

# The extension crate's example: every public extension trait implemented outside prodops.
echo "::: team_review (prodops-example-extension)"
cargo run --locked --quiet -p prodops-example-extension --example team_review >"$tmp/team_review.out" 2>&1 ||
    { cat "$tmp/team_review.out"; echo "FAILED: team_review"; exit 1; }
head -n 12 "$tmp/team_review.out"

echo "::: all examples passed in $SECONDS s"
