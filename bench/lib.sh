# Shared by bench/run and the bench/<area>.bench scripts.
# bench_build: compiles main and test classes once and writes the classpath to target/bench.cp.
# bench_java CLASS ARGS...: runs a benchmark main class (src/test/java/com/altus/hub/bench/) on it.
# bench_data DIR ARGS...: generates data with ../shared/tools/gen_data.py (or tools/gen_data.py) into bench/out/DIR once.
BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

bench_build() {
  if [ -z "${BENCH_BUILT:-}" ]; then
    (cd "$BENCH_ROOT" && mvn -B -q -Dskip.azurite.install=true test-compile dependency:build-classpath \
        -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >&2)
    export BENCH_BUILT=1
  fi
}

bench_java() {
  bench_build
  local cls="$1"; shift
  # stdout carries only the "bench:" result lines; logs of the hub and PostgreSQL go to stderr
  set -o pipefail
  java ${BENCH_JAVA_OPTS:--Xmx4g} -Dhub.test.basedir="$BENCH_ROOT" -DHUB_LOG_TARGET=System.err \
    -cp "$BENCH_ROOT/target/test-classes:$BENCH_ROOT/target/classes:$(cat "$BENCH_ROOT/target/bench.cp")" "$cls" "$@" \
    | awk '/^bench: /{print; fflush(); next} {print > "/dev/stderr"}'

}

bench_gen() {
  local gen="$BENCH_ROOT/../shared/tools/gen_data.py"
  [ -f "$gen" ] || gen="$BENCH_ROOT/tools/gen_data.py"
  python3 "$gen" "$@"
}

bench_data() {
  local dir="$BENCH_ROOT/bench/out/$1"; shift
  if [ ! -f "$dir/.done" ]; then
    mkdir -p "$dir"
    bench_gen "$@" --out "$dir" >&2
    touch "$dir/.done"
  fi
  echo "$dir"
}
