#!/usr/bin/env bash
# The federated PneumoniaMNIST experiment of docs/federated.md: 3 site processes + a server on 127.0.0.1
# (self-signed certificate) per run, IID and Dirichlet(0.5) label skew (bench/fl-splits.ts), against
# centralised training and each site training alone. Each run's metrics.json is under OUT; one summary line
# per run (best and last round on the validation split, wall time) is printed.
#   bash bench/fl-experiment.sh [OUT] [ROUNDS] [RUNS]   (env SET="training.batchesPerEpoch=10" adds --set to
#   every process; DP_CLIP sets --dp-clip for DP runs, default 1)
# RUNS: space-separated entries: centralised | SPLIT:local | SPLIT:ALGORITHM[:dp=Z][:secure], SPLIT iid or
# dirichlet, ALGORITHM fedavg, fedprox or fedbn, Z the DP-FedAvg noise multiplier.
set -euo pipefail
OUT=$(realpath -m "${1:-bench/out/fl}")
ROUNDS=${2:-5}
RUNS=${3:-centralised iid:local dirichlet:local iid:fedavg iid:fedprox iid:fedbn dirichlet:fedavg dirichlet:fedprox dirichlet:fedbn}
SETS=()
for s in ${SET:-}; do SETS+=(--set "$s"); done
export MEDATTN_THREADS=1
M="nice -n 19 node bin/medattn.js"
mkdir -p "$OUT"
[ -d "$OUT/configs" ] || node --conditions=medattn-source --import tsx bench/fl-splits.ts "$OUT/configs"
[ -f "$OUT/cert.pem" ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$OUT/key.pem" \
  -out "$OUT/cert.pem" -days 1 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null
echo '{"site0":"site0-secret-token-0001","site1":"site1-secret-token-0002","site2":"site2-secret-token-0003"}' > "$OUT/tokens.json"
summary() {
  node -e "const m=require('$1/metrics.json');const b=m.best,l=m.history.at(-1);const r=(x)=>+(+x).toFixed(4);
console.log('$2', JSON.stringify({best_round:b.epoch+1,best_auroc:r(b.auroc),best_accuracy:r(b.accuracy),last_auroc:r(l.auroc),last_accuracy:r(l.accuracy),rounds:m.history.length,epsilon:l.epsilon===undefined?undefined:r(l.epsilon),seconds:Math.round((Date.now()-$3)/1000)}))"
}
for run in $RUNS; do
  start=$(date +%s%3N)
  if [ "$run" = centralised ]; then
    $M train --config "$OUT/configs/iid/server.json" --out "$OUT/centralised" --set training.epochs=$ROUNDS "${SETS[@]}" > /dev/null 2>&1
    summary "$OUT/centralised" centralised "$start"
    continue
  fi
  IFS=: read -r split algo extra1 extra2 <<< "$run"
  if [ "$algo" = local ]; then
    for s in 0 1 2; do
      start=$(date +%s%3N)
      $M train --config "$OUT/configs/$split/site$s.json" --out "$OUT/$split-local-site$s" --set training.epochs=$ROUNDS "${SETS[@]}" > /dev/null 2>&1
      summary "$OUT/$split-local-site$s" "$split-local-site$s" "$start"
    done
    continue
  fi
  flags=(); name="$split-$algo"
  for e in ${extra1:-} ${extra2:-}; do
    case $e in
      dp=*) flags+=(--dp-clip "${DP_CLIP:-1}" --dp-noise "${e#dp=}"); name="$name-$e" ;;
      secure) flags+=(--secure-aggregation); name="$name-secure" ;;
    esac
  done
  dir="$OUT/$name"; rm -rf "$dir"
  $M fl server --config "$OUT/configs/$split/server.json" --out "$dir" --tokens "$OUT/tokens.json" --cert "$OUT/cert.pem" \
    --key "$OUT/key.pem" --port 18600 --rounds "$ROUNDS" --algorithm "$algo" --round-timeout 900 "${flags[@]}" "${SETS[@]}" 2> "$OUT/$name.server.log" &
  server=$!
  sleep 2
  for s in 0 1 2; do
    token=$(node -e "console.log(require('$OUT/tokens.json').site$s)")
    $M fl client --config "$OUT/configs/$split/site$s.json" --server https://127.0.0.1:18600 --token "$token" --ca "$OUT/cert.pem" \
      --patience 600 "${SETS[@]}" 2> "$OUT/$name.site$s.log" &
  done
  wait $server
  wait
  summary "$dir" "$name" "$start"
done
