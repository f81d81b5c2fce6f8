#!/usr/bin/env bash
# Markdown table of the last libFuzzer logs (artifacts/TARGET/log*.txt).
cd "$(dirname "${BASH_SOURCE[0]}")"
echo "| target | seconds | executions | exec/s | coverage (edges) | features | corpus | crashes |"
echo "|---|---|---|---|---|---|---|---|"
for log in artifacts/*/log*.txt; do
    t="$(basename "$(dirname "$log")")"
    label="$t"
    [[ "$log" == *parallel* ]] && label="$t (600 s, second core)"
    done_line="$(grep -E '^Done [0-9]+ runs in' "$log" | tail -1)"
    runs="$(sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1/' <<<"$done_line")"
    secs="$(sed -E 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\2/' <<<"$done_line")"
    last="$(grep -E '^#[0-9]+' "$log" | tail -1)"
    cov="$(grep -oE 'cov: [0-9]+' <<<"$last" | cut -d' ' -f2)"
    ft="$(grep -oE 'ft: [0-9]+' <<<"$last" | cut -d' ' -f2)"
    corp="$(grep -oE 'corp: [0-9]+' <<<"$last" | cut -d' ' -f2)"
    crashes="$(find "artifacts/$t" -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' | wc -l)"
    [[ -n "$done_line" ]] || { runs="(running or stopped)"; secs="?"; }
    rate="?"
    [[ "$secs" =~ ^[0-9]+$ && "$secs" -gt 0 ]] && rate=$((runs / secs))
    echo "| $label | $secs | $runs | $rate | ${cov:-?} | ${ft:-?} | ${corp:-?} | $crashes |"
done
