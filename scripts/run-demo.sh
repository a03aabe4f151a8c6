#!/usr/bin/env bash
# The main job: builds exmapi, starts the reference server exmapi-server on a freshly seeded SQLite
# store (127.0.0.1, free ports), reads a mailbox through it with the CLI over real DCE/RPC (NSPI,
# EMSMDB) - `exmapi ls`, `exmapi list`, `exmapi show` - then over MAPI over HTTP and RPC over HTTP,
# and stops it; then demonstrates the codec
# command line on the Open Specifications' own examples (MS-XCA LZ77, MS-OXRTFCP compressed RTF), on
# real Outlook RTF bodies, and the ROP dissector `exmapi decode` on the MS-OXCTABL examples.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${EXMAPI_SHARED_DIR:-$(cd .. && pwd)/shared}

bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" >/dev/null
cmake --build build -j"$(nproc)" --target exmapi_cli exmapi_server >/dev/null
exmapi=build/exmapi

vector_hex() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["hex"])' "$1"; }
vector_field() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
tmp=$(mktemp -d)
server_pid=""
stop_server() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; server_pid=""; }
trap 'stop_server; rm -rf "$tmp"' EXIT

echo "== exmapi-server: a reference server on a seeded SQLite store"
build/server/exmapi-server --store "$tmp/store.sqlite" --seed --port 0 --http-port 0 >"$tmp/server.out" 2>"$tmp/server.err" &
server_pid=$!
first_line="" http_line=""
for _ in $(seq 100); do  # it prints where it listens once the sockets are open: RPC, then HTTP
  http_line=$(sed -n 2p "$tmp/server.out")
  [ -n "$http_line" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
first_line=$(sed -n 1p "$tmp/server.out")
port=${first_line##*:}
http_port=${http_line##*:}
case "$port$http_port" in ''|*[!0-9]*) echo "exmapi-server did not start: $(cat "$tmp/server.err")"; exit 1 ;; esac
echo "   $first_line (store $tmp/store.sqlite, $(stat -c %s "$tmp/store.sqlite") bytes)"
echo "   $http_line (RPC over HTTP proxy, MAPI over HTTP, Autodiscover)"
# NTLM, sealed (the defaults); the sample password comes through the environment, never argv.
export EXMAPI_PASSWORD='Alice#2026'
connect=(--server 127.0.0.1 --port "$port" --user alice)
echo
echo "== exmapi ls (alice's folder tree over NSPI + EMSMDB, NTLM-sealed)"
"$exmapi" ls "${connect[@]}"
echo
echo "== exmapi list Inbox"
"$exmapi" list Inbox "${connect[@]}"
echo
echo "== exmapi show Inbox 1"
"$exmapi" show Inbox 1 "${connect[@]}" >"$tmp/show.txt"  # whole, so that a failure is not hidden by head
head -40 "$tmp/show.txt"
echo
echo "== exmapi list Calendar"
"$exmapi" list Calendar "${connect[@]}"
echo
echo "== a folder that does not exist: a clear message, exit code 1"
set +e
"$exmapi" list "No Such Folder" "${connect[@]}"
echo "   exit code $?"
echo "== a wrong password: a clear message, exit code 1"
EXMAPI_PASSWORD=wrong "$exmapi" ls "${connect[@]}"
echo "   exit code $?"
set -e
echo
echo "== the same mailbox over MAPI over HTTP (Exchange 2016+): exmapi list Inbox --mapi-url ..."
"$exmapi" list Inbox --mapi-url "http://127.0.0.1:$http_port/mapi/emsmdb/" --user alice
echo
echo "== and over RPC over HTTP through the server's RPC proxy: exmapi ls --rpc-proxy ..."
"$exmapi" ls --server 127.0.0.1 --port "$port" --rpc-proxy "127.0.0.1:$http_port" --no-tls --user alice >"$tmp/ls.txt"
head -8 "$tmp/ls.txt"
stop_server
echo "== exmapi-server stopped"
echo

echo "exmapi $("$exmapi" --version | cut -d' ' -f2): codec demonstration on the specification vectors"
echo
for v in "$shared"/vectors/MS-XCA/3_1_*.json; do
  echo "== $(basename "$v") (MS-XCA plain LZ77, as RPC_HEADER_EXT uses it)"
  vector_hex "$v" | xxd -r -p >"$tmp/in.lz77"
  "$exmapi" codec lz77 decompress <"$tmp/in.lz77" >"$tmp/out"
  echo "   $(stat -c %s "$tmp/in.lz77") compressed bytes -> $(stat -c %s "$tmp/out") bytes: $(head -c 60 "$tmp/out")"
  expected=$(vector_field "$v" expected_output)
  [ "$(cat "$tmp/out")" = "$expected" ] && echo "   matches the specification's expected output"
done
echo
for v in "$shared"/vectors/MS-OXRTFCP/*.json; do
  echo "== $(basename "$v") (MS-OXRTFCP compressed RTF)"
  vector_hex "$v" | xxd -r -p >"$tmp/in.lzfu"
  "$exmapi" codec rtf decompress <"$tmp/in.lzfu" >"$tmp/out.rtf"
  echo "   decompressed: $(cat "$tmp/out.rtf")"
  "$exmapi" codec rtf compress <"$tmp/out.rtf" >"$tmp/again.lzfu"
  if cmp -s "$tmp/in.lzfu" "$tmp/again.lzfu"; then
    echo "   re-compressed: byte for byte the specification's stream"
  else
    echo "   re-compressed: $(stat -c %s "$tmp/again.lzfu") bytes (the specification's stream is $(stat -c %s "$tmp/in.lzfu"))"
  fi
done
echo
echo "== real Outlook RTF bodies from shared/vectors/msg/rtf"
total_in=0 total_out=0
for f in "$shared"/vectors/msg/rtf/*.lzfu; do
  "$exmapi" codec rtf decompress <"$f" >"$tmp/body.rtf"
  "$exmapi" codec lz77 compress <"$tmp/body.rtf" >"$tmp/body.lz77"
  "$exmapi" codec lz77 decompress <"$tmp/body.lz77" | cmp -s - "$tmp/body.rtf"
  total_in=$((total_in + $(stat -c %s "$tmp/body.rtf")))
  total_out=$((total_out + $(stat -c %s "$tmp/body.lz77")))
done
echo "   $(ls "$shared"/vectors/msg/rtf/*.lzfu | wc -l) bodies decompressed; their $total_in bytes of RTF LZ77-compress to $total_out bytes and back unchanged"
echo
echo "== corrupt input is refused with the offset and exit code 2"
printf '\x00\x00\x00\x80\x00\x00' >"$tmp/bad"  # a match before any output
set +e
"$exmapi" codec lz77 decompress <"$tmp/bad" >/dev/null
echo "   exit code $?"
set -e
echo
echo "== exmapi decode: the MS-OXCTABL example ROPs (GetContentsTable, SetColumns, SortTable, QueryRows)"
requests=""
for v in 4_1_1_ropgetcontentstable_request 4_2_1_ropsetcolumns_request 4_3_1_ropsorttable_request 4_5_3_1_ropqueryrows_request; do
  requests+=$(vector_hex "$shared/vectors/MS-OXCTABL/$v.json")
done
"$exmapi" decode --request "$requests" --text
echo
echo "== exmapi decode: the truncated QueryRows response of MS-OXCTABL 4.5.3.2 (columns given by hand)"
set +e
"$exmapi" decode --response "$(vector_hex "$shared/vectors/MS-OXCTABL/4_5_3_2_ropqueryrows_response_prefix.json")" \
  --columns PidTagFolderId --text
echo "   exit code $? (the spec shows neither the table's columns nor the whole dump; with one assumed column, decoding stops where the bytes stop fitting it)"
set -e
