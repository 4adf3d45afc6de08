#!/usr/bin/env bash
# The federated PneumoniaMNIST experiment of docs/federated.md: centralised training, then FedAvg / FedProx /
# FedBN with 3 site processes and a server on 127.0.0.1 (self-signed certificate), IID and Dirichlet(0.5)
# label skew (bench/fl-splits.ts). Each run's metrics.json is under OUT; a summary line per run is printed.
#   bash bench/fl-experiment.sh [OUT] [ROUNDS] [RUNS]   (env SET="training.batchesPerEpoch=10" adds --set to every process)
# RUNS: space-separated split:algorithm pairs (default: iid:fedavg dirichlet:fedavg dirichlet:fedprox dirichlet:fedbn).
set -euo pipefail
OUT=$(realpath -m "${1:-bench/out/fl}")
ROUNDS=${2:-5}
RUNS=${3:-iid:fedavg dirichlet:fedavg dirichlet:fedprox dirichlet:fedbn}
SETS=()
for s in ${SET:-}; do SETS+=(--set "$s"); done
export MEDATTN_THREADS=1
M="nice -n 10 node bin/medattn.js"
mkdir -p "$OUT"
node --conditions=medattn-source --import tsx bench/fl-splits.ts "$OUT/configs"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$OUT/key.pem" -out "$OUT/cert.pem" \
  -days 1 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null
echo '{"site0":"site0-secret-token-0001","site1":"site1-secret-token-0002","site2":"site2-secret-token-0003"}' > "$OUT/tokens.json"
summary() { node -e "const m=require('$1/metrics.json');const b=m.best;console.log('$2', JSON.stringify({best_round:b.epoch+1,auroc:+b.auroc.toFixed(4),accuracy:+b.accuracy.toFixed(4),rounds:m.history.length,seconds:Math.round((Date.now()-$3)/1000)}))"; }
start=$(date +%s%3N)
$M train --config "$OUT/configs/iid/server.json" --out "$OUT/centralised" --set training.epochs=$ROUNDS "${SETS[@]}" > /dev/null 2>&1
summary "$OUT/centralised" centralised "$start"
for run in $RUNS; do
  split=${run%%:*}; algo=${run##*:}; dir="$OUT/$split-$algo"; rm -rf "$dir"
  start=$(date +%s%3N)
  $M fl server --config "$OUT/configs/$split/server.json" --out "$dir" --tokens "$OUT/tokens.json" --cert "$OUT/cert.pem" \
    --key "$OUT/key.pem" --port 18600 --rounds "$ROUNDS" --algorithm "$algo" --round-timeout 900 "${SETS[@]}" 2> "$OUT/$split-$algo.server.log" &
  server=$!
  sleep 2
  for s in 0 1 2; do
    token=$(node -e "console.log(require('$OUT/tokens.json').site$s)")
    $M fl client --config "$OUT/configs/$split/site$s.json" --server https://127.0.0.1:18600 --token "$token" --ca "$OUT/cert.pem" "${SETS[@]}" 2> "$OUT/$split-$algo.site$s.log" &
  done
  wait $server
  wait
  summary "$dir" "$split-$algo" "$start"
done
