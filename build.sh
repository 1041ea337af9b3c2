#!/usr/bin/env bash
# ztwim build entry point.
#   ./build.sh run          restore, build, run ztwim-sim's quickstart (the main job's embedded default)
#   ./build.sh test         format check, build, every test project; last line "N passed, N failed"
#   ./build.sh sim ARGS...  run ztwim-sim with ARGS (build output on stderr, ztwim-sim's exit code)
#   ./build.sh build        restore and build only
#   ./build.sh format       apply fantomas and dotnet format
#   ./build.sh paket ARGS   run paket (install/update keep %ZTWIM_NUGET_SOURCE% in paket.lock)
#   ./build.sh publish      the operator as a self-contained ReadyToRun binary in out/operator (RID=linux-x64)
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Packages come only from this machine's own NuGet configuration: no registry address is written in the
# repository. Paket expands %ZTWIM_NUGET_SOURCE% from the environment.
if [ -z "${ZTWIM_NUGET_SOURCE:-}" ]; then
  ZTWIM_NUGET_SOURCE=$(dotnet nuget list source --format short 2>/dev/null | awk '$1 ~ /^E/ { print $2; exit }')
  if [ -z "$ZTWIM_NUGET_SOURCE" ]; then
    echo "build.sh: no enabled NuGet source in this machine's configuration (dotnet nuget list source)" >&2
    exit 1
  fi
fi
export ZTWIM_NUGET_SOURCE

F_SHARP_DIRS=(Kernel.FSharp Host Specs properties)

# Fantomas reads a folder named like a file (Kernel.FSharp) as a file, so it gets the sources one by one.
fsharp_sources() {
  find "${F_SHARP_DIRS[@]}" -name '*.fs' -not -path '*/obj/*' -not -path '*/bin/*' | sort
}
C_SHARP_PROJECTS=(Adapters.CSharp/Adapters.CSharp.csproj Host/Ztwim.Operator/Ztwim.Operator.csproj)
TEST_PROJECTS=(Specs/Specs.fsproj properties/Properties.fsproj)
CONFIGURATION=${CONFIGURATION:-Release}

# paket install/update write the expanded address into paket.lock; put the variable back.
unexpand_lock() {
  sed -i -E 's|^([[:space:]]*remote:[[:space:]]*)https?://.*$|\1%ZTWIM_NUGET_SOURCE%|' paket.lock
}

restore() {
  dotnet tool restore >/dev/null
  if [ ! -f paket.lock ]; then
    dotnet paket install
    unexpand_lock
  fi
  dotnet paket restore
}

build() {
  restore
  dotnet build Ztwim.sln -c "$CONFIGURATION" --nologo -v quiet -clp:NoSummary
}

sim() {
  # The build's own output goes to stderr so that stdout carries only ztwim-sim's output.
  build 1>&2
  exec dotnet "Host/Ztwim.Sim/bin/$CONFIGURATION/net10.0/ztwim-sim.dll" "$@"
}

format_check() {
  local ok=0
  fsharp_sources | xargs dotnet fantomas --check || { echo "F# formatting differs: run ./build.sh format" >&2; ok=1; }
  for p in "${C_SHARP_PROJECTS[@]}"; do
    dotnet format "$p" --verify-no-changes --no-restore -v quiet || { echo "C# formatting differs in $p: run ./build.sh format" >&2; ok=1; }
  done
  return $ok
}

run_tests() {
  local passed=0 failed=${1:-0} skipped=0 status=0
  local log
  log=$(mktemp)
  for p in "${TEST_PROJECTS[@]}"; do
    local dir name
    dir=$(dirname "$p")
    name=$(sed -n 's|.*<AssemblyName>\(.*\)</AssemblyName>.*|\1|p' "$p")
    echo "== $name" >&2
    set +e
    dotnet "$dir/bin/$CONFIGURATION/net10.0/$name.dll" --colours 0 --no-spinner 2>&1 | sed -u -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' | tee "$log"
    local rc=${PIPESTATUS[0]}
    set -e
    # Expecto's closing line: "... N passed, N ignored, N failed, N errored. ..." (N may carry thousands commas).
    local line
    line=$(grep -a -E '[0-9,]+ passed, [0-9,]+ ignored, [0-9,]+ failed, [0-9,]+ errored' "$log" | tail -1 | tr -d ',' || true)
    if [ -z "$line" ]; then
      echo "$name: no Expecto summary (exit $rc)" >&2
      failed=$((failed + 1)); status=1; continue
    fi
    local p_ i_ f_ e_
    p_=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$line")
    i_=$(sed -E 's/.* ([0-9]+) ignored.*/\1/' <<<"$line")
    f_=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
    e_=$(sed -E 's/.* ([0-9]+) errored.*/\1/' <<<"$line")
    passed=$((passed + p_)); skipped=$((skipped + i_)); failed=$((failed + f_ + e_))
    [ "$rc" -ne 0 ] && status=1
  done
  rm -f "$log"
  [ "$failed" -gt 0 ] && status=1
  if [ "$skipped" -gt 0 ]; then echo "$skipped skipped"; fi
  echo "$passed passed, $failed failed"
  return $status
}

# The real API server tests (Specs/Envtest/) read KUBEBUILDER_ASSETS, controller-runtime's envtest convention.
# In the ztwim workspace the binaries sit in ../shared/envtest, unpacked once by its setup script (which needs
# xz); in a user's clone there is no such folder, and those tests are skipped with a line saying how to run them.
envtest_assets() {
  local setup="$root/../shared/envtest/setup"
  if [ -n "${KUBEBUILDER_ASSETS:-}" ] || [ ! -x "$setup" ]; then return 0; fi
  if ! command -v xz >/dev/null; then
    echo "build.sh: installing xz-utils (Debian) to unpack the envtest binaries" >&2
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get install -y -qq xz-utils >/dev/null 2>&1 || { $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y -qq xz-utils >/dev/null; } || true
  fi
  local dir
  if dir=$("$setup"); then
    export KUBEBUILDER_ASSETS="$dir"
    echo "build.sh: real API server tests use KUBEBUILDER_ASSETS=$dir" >&2
  else
    echo "build.sh: $setup failed; the real API server tests will be skipped" >&2
  fi
}

cmd=${1:-build}
shift || true
case "$cmd" in
  build) build ;;
  run)
    build 1>&2
    exec dotnet "Host/Ztwim.Sim/bin/$CONFIGURATION/net10.0/ztwim-sim.dll" quickstart "$@" ;;
  sim) sim "$@" ;;
  test)
    build
    envtest_assets
    # A formatting difference counts as one failed check; the summary line stays last.
    fmt=0
    format_check || fmt=1
    set +e
    run_tests $fmt
    rc=$?
    set -e
    exit $rc ;;
  format)
    restore
    fsharp_sources | xargs dotnet fantomas
    for p in "${C_SHARP_PROJECTS[@]}"; do dotnet format "$p"; done ;;
  publish)
    restore
    dotnet publish Host/Ztwim.Operator/Ztwim.Operator.csproj -c "$CONFIGURATION" -r "${RID:-linux-x64}" --self-contained \
      -p:PublishReadyToRun=true -o out/operator --nologo -v quiet -clp:NoSummary
    echo "out/operator/ztwim-operator" ;;
  paket)
    dotnet tool restore >/dev/null
    dotnet paket "$@"
    unexpand_lock ;;
  *) echo "usage: ./build.sh run | test | sim ARGS... | build | format | paket ARGS... | publish" >&2; exit 2 ;;
esac
