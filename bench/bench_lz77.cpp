// LZ77 (MS-XCA Plain LZ77) throughput against baselines measured in the same run:
//   decompression against libfwnt_lzxpress_decompress (an independent decoder),
//   compression against zlib compress2(level 1).
// Input: the deterministic MAPI-like corpus of tests/lz77_corpus.hpp, in 32 KB blocks.
// Usage: bench_lz77 [corpus-MB] [repetitions]
#include <libfwnt.h>
#include <zlib.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "../tests/lz77_corpus.hpp"
#include "wire/lz77.hpp"

using namespace exmapi;
namespace corpus = exmapi::test::lz77_corpus;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Times `ours` and `baseline` alternately, `reps` times each after a warm-up, so that both see the
// same load on a shared machine. Returns the median seconds of each and the median of the
// per-repetition speed ratios (baseline time / our time), by the wall clock and by this thread's
// CPU time: on a machine with more runnable jobs than cores the wall clock also counts the time
// the bench waits for a core, which the CPU clock leaves out.
struct Paired {
  double ours, baseline, ratio;
  double best_ratio;  // fastest baseline run / fastest own run: the least disturbed by other load
  double cpu_ratio;   // median of the per-run ratios of thread CPU time
};
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}
Paired time_pair(int reps, const std::function<void()>& ours, const std::function<void()>& baseline) {
  struct Times {
    double wall, cpu;
  };
  auto seconds = [](const std::function<void()>& run) {
    auto a = std::chrono::steady_clock::now();
    double c = thread_cpu_seconds();
    run();
    return Times{std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count(), thread_cpu_seconds() - c};
  };
  ours();
  baseline();
  std::vector<double> to, tb, ratio, cpu_ratio;
  for (int i = 0; i < reps; ++i) {
    Times o = seconds(ours), b = seconds(baseline);
    to.push_back(o.wall);
    tb.push_back(b.wall);
    ratio.push_back(b.wall / o.wall);
    cpu_ratio.push_back(b.cpu / o.cpu);
  }
  return {median(to), median(tb), median(ratio),
          *std::min_element(tb.begin(), tb.end()) / *std::min_element(to.begin(), to.end()), median(cpu_ratio)};
}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "bench_lz77: %s\n", why.c_str());
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  size_t mb = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 8;
  int reps = argc > 2 ? std::atoi(argv[2]) : 11;
  if (reps < 5) reps = 5;
  Bytes data = corpus::generate(mb << 20);
  std::vector<ByteView> blocks = corpus::blocks(data);
  const double mbytes = static_cast<double>(data.size()) / 1e6;

  // ---- compression ------------------------------------------------------------------------
  std::vector<Bytes> ours(blocks.size());
  std::vector<Bytes> zl(blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) zl[i].resize(compressBound(static_cast<uLong>(blocks[i].size())));
  std::vector<uLongf> zl_sizes(blocks.size());
  Paired comp = time_pair(
      reps, [&] { for (size_t i = 0; i < blocks.size(); ++i) ours[i] = lz77::compress(blocks[i]); },
      [&] {
        for (size_t i = 0; i < blocks.size(); ++i) {
          zl_sizes[i] = static_cast<uLongf>(zl[i].size());
          if (compress2(zl[i].data(), &zl_sizes[i], blocks[i].data(), static_cast<uLong>(blocks[i].size()), 1) != Z_OK)
            die("zlib compress2 failed");
        }
      });
  size_t ours_size = 0, zlib_size = 0;
  for (auto& b : ours) ours_size += b.size();
  for (auto s : zl_sizes) zlib_size += s;

  // ---- decompression ----------------------------------------------------------------------
  std::vector<Bytes> out(blocks.size());
  for (size_t i = 0; i < blocks.size(); ++i) out[i].resize(blocks[i].size());
  auto fwnt_all = [&] {
    for (size_t i = 0; i < blocks.size(); ++i) {
      size_t size = out[i].size();
      libfwnt_error_t* error = nullptr;
      if (libfwnt_lzxpress_decompress(ours[i].data(), ours[i].size(), out[i].data(), &size, &error) != 1) {
        libfwnt_error_free(&error);
        die("libfwnt failed on our stream");
      }
    }
  };
  fwnt_all();
  for (size_t i = 0; i < blocks.size(); ++i)
    if (!std::equal(out[i].begin(), out[i].end(), blocks[i].begin())) die("libfwnt: different bytes");
  auto ours_into = [&] {
    for (size_t i = 0; i < blocks.size(); ++i)
      if (lz77::decompress_into(ours[i], out[i], true) != blocks[i].size()) die("our decoder: wrong size");
  };
  Paired dec = time_pair(reps, ours_into, fwnt_all);
  for (size_t i = 0; i < blocks.size(); ++i)
    if (!std::equal(out[i].begin(), out[i].end(), blocks[i].begin())) die("our decoder: wrong bytes");
  Bytes vec_out;
  Paired dec_vec = time_pair(
      reps,
      [&] {
        for (size_t i = 0; i < blocks.size(); ++i) {
          vec_out.clear();
          lz77::decompress(ours[i], vec_out, blocks[i].size());
        }
      },
      fwnt_all);
  Paired zdec = time_pair(reps, ours_into, [&] {
    for (size_t i = 0; i < blocks.size(); ++i) {
      uLongf size = static_cast<uLongf>(out[i].size());
      if (uncompress(out[i].data(), &size, zl[i].data(), zl_sizes[i]) != Z_OK) die("zlib uncompress failed");
    }
  });

  auto rate = [&](double t) { return mbytes / t; };
  std::printf("LZ77 bench: corpus %.1f MB in %zu blocks of %zu bytes; each pair timed alternately, %d runs,\n"
              "medians (speed ratios: median of the per-run ratios)\n", mbytes, blocks.size(), corpus::kBlockSize, reps);
  std::printf("%-46s %10s %10s\n", "", "MB/s", "ratio");
  std::printf("%-46s %10.1f %10.3f\n", "compress   exmapi lz77", rate(comp.ours),
              static_cast<double>(data.size()) / static_cast<double>(ours_size));
  std::printf("%-46s %10.1f %10.3f\n", "compress   zlib compress2 level 1", rate(comp.baseline),
              static_cast<double>(data.size()) / static_cast<double>(zlib_size));
  std::printf("%-46s %10.1f\n", "decompress exmapi lz77 (decompress_into)", rate(dec.ours));
  std::printf("%-46s %10.1f\n", "decompress libfwnt_lzxpress_decompress", rate(dec.baseline));
  std::printf("%-46s %10.1f\n", "decompress exmapi lz77 (decompress -> Bytes)", rate(dec_vec.ours));
  std::printf("%-46s %10.1f\n", "decompress libfwnt (paired with the row above)", rate(dec_vec.baseline));
  std::printf("%-46s %10.1f\n", "decompress zlib uncompress (reference)", rate(zdec.baseline));
  std::printf("speed ratios: compress   exmapi / zlib-1  = %.2fx  (target >= 1.5x with ratio >= 2.9)\n", comp.ratio);
  std::printf("              decompress exmapi / libfwnt = %.2fx into caller memory, %.2fx into Bytes (target >= 3x)\n",
              dec.ratio, dec_vec.ratio);
  std::printf("fastest run against fastest run: compress %.2fx, decompress %.2fx / %.2fx\n", comp.best_ratio,
              dec.best_ratio, dec_vec.best_ratio);
  std::printf("by thread CPU time (median of ratios): compress %.2fx, decompress %.2fx / %.2fx\n", comp.cpu_ratio,
              dec.cpu_ratio, dec_vec.cpu_ratio);

  // How each part of the corpus compresses (2 MB of each kind alone, same 32 KB blocks).
  std::printf("\ncompression ratio by part of the corpus (share of bytes):\n");
  for (auto [kind, share] : corpus::kShares) {
    Bytes part = corpus::generate_kind(kind, size_t{2} << 20);
    size_t o = 0, z = 0;
    for (ByteView b : corpus::blocks(part)) {
      o += lz77::compress(b).size();
      Bytes zb(compressBound(static_cast<uLong>(b.size())));
      uLongf zs = static_cast<uLongf>(zb.size());
      if (compress2(zb.data(), &zs, b.data(), static_cast<uLong>(b.size()), 1) != Z_OK) die("zlib failed");
      z += zs;
    }
    std::printf("  %-16s %3.0f%%   exmapi lz77 %.3f   zlib-1 %.3f\n", corpus::kind_name(kind), share * 100,
                static_cast<double>(part.size()) / static_cast<double>(o),
                static_cast<double>(part.size()) / static_cast<double>(z));
  }
  return 0;
}
