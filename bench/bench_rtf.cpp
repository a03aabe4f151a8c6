// Compressed RTF (MS-OXRTFCP) bench: decompression against libpff's libfmapi_lzfu_decompress on the
// same streams in the same run (MB/s of output, medians of alternating repetitions), and our
// compression speed and ratio (against Outlook's own streams where we have them).
//
// Usage: bench_rtf [repetitions] [shared dir]   (defaults: 7, $EXMAPI_SHARED_DIR or ../shared)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "../tests/rtf_corpus.hpp"
#include "convert/compressed_rtf.hpp"

// libpff exports its LZFu decoder without a header (Debian libpff 20180714: output buffer first).
extern "C" int libfmapi_lzfu_decompress(uint8_t* uncompressed_data, size_t* uncompressed_data_size,
                                        const uint8_t* compressed_data, size_t compressed_data_size,
                                        intptr_t** error);
extern "C" void libpff_error_free(intptr_t** error);

using namespace exmapi;
namespace corpus = exmapi::test::rtf_corpus;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Paired {
  double ours, baseline, ratio;
};
// Alternates the two so both see the same load on a shared machine.
Paired time_pair(int reps, const std::function<void()>& ours, const std::function<void()>& baseline) {
  auto seconds = [](const std::function<void()>& run) {
    auto a = std::chrono::steady_clock::now();
    run();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
  };
  ours();
  baseline();
  std::vector<double> to, tb, ratio;
  for (int i = 0; i < reps; ++i) {
    to.push_back(seconds(ours));
    tb.push_back(seconds(baseline));
    ratio.push_back(tb.back() / to.back());
  }
  return {median(to), median(tb), median(ratio)};
}

double time_median(int reps, const std::function<void()>& run) {
  std::vector<double> t;
  run();
  for (int i = 0; i < reps; ++i) {
    auto a = std::chrono::steady_clock::now();
    run();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count());
  }
  return median(t);
}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "bench_rtf: %s\n", why.c_str());
  std::exit(1);
}

Bytes read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  if (!f) die("cannot open " + p.string());
  return Bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

struct Stream {
  Bytes compressed;
  size_t raw_size;
};

struct Set {
  std::string name;
  std::vector<Stream> streams;
  size_t raw_total = 0, compressed_total = 0;
  std::vector<Bytes> texts;  // decompressed, for the compression measurement
};

void add(Set& set, Bytes compressed) {
  size_t raw = rtf::read_header(compressed).raw_size;
  set.texts.push_back(rtf::decompress(compressed));
  set.raw_total += raw;
  set.compressed_total += compressed.size();
  set.streams.push_back({std::move(compressed), raw});
}

}  // namespace

int main(int argc, char** argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 7;
  if (reps < 5) reps = 5;
  std::filesystem::path shared = argc > 2 ? argv[2]
                                 : std::getenv("EXMAPI_SHARED_DIR") ? std::getenv("EXMAPI_SHARED_DIR")
                                                                    : "../shared";
  auto rtf_dir = shared / "vectors" / "msg" / "rtf";
  if (!std::filesystem::is_directory(rtf_dir)) die("no " + rtf_dir.string() + " (pass the shared dir)");

  Set outlook{"Outlook streams (msg/rtf)", {}, 0, 0, {}};
  std::vector<std::filesystem::path> files;
  for (auto& e : std::filesystem::directory_iterator(rtf_dir))
    if (e.path().extension() == ".lzfu") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) add(outlook, read_file(f));

  // Larger generated documents, compressed by us: native RTF and encapsulated HTML.
  Set generated{"generated RTF, 20 KB - 1 MB", {}, 0, 0, {}};
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    size_t size = seed % 4 == 0 ? 1000000 : 20000 * seed;
    std::string doc = seed % 2 ? corpus::native_document(seed, size) : corpus::html_document(seed, size);
    add(generated, rtf::compress(Bytes(doc.begin(), doc.end())));
  }

  size_t largest = 0;
  for (const Set* s : {&outlook, &generated})
    for (const auto& st : s->streams) largest = std::max(largest, st.raw_size);
  Bytes out_ours(largest + 64), out_pff(largest + 64);

  std::printf("compressed RTF (MS-OXRTFCP LZFu), %d repetitions, medians; MB = 10^6 bytes of RTF\n\n", reps);
  std::printf("%-30s %9s %8s | %11s %11s %7s | %11s %9s %9s\n", "input", "RTF MB", "streams", "ours MB/s",
              "libpff MB/s", "ratio", "compr MB/s", "ours %", "given %");
  for (const Set* s : {&outlook, &generated}) {
    // Sanity: both decoders agree on every stream before anything is timed.
    for (const auto& st : s->streams) {
      size_t n = rtf::decompress_into(st.compressed, out_ours);
      size_t pff_size = out_pff.size();
      intptr_t* error = nullptr;
      if (libfmapi_lzfu_decompress(out_pff.data(), &pff_size, st.compressed.data(), st.compressed.size(), &error) !=
          1) {
        libpff_error_free(&error);
        die("libpff rejects a stream");
      }
      if (n != st.raw_size || !std::equal(out_ours.begin(), out_ours.begin() + n, out_pff.begin()))
        die("libpff and we disagree on a stream of " + s->name);
    }
    auto ours = [&] {
      for (const auto& st : s->streams) rtf::decompress_into(st.compressed, out_ours);
    };
    auto pff = [&] {
      for (const auto& st : s->streams) {
        // RAWSIZE + 2 is what libpff needs (it writes the end marker out as 2 more bytes).
        size_t size = st.raw_size + 2;
        intptr_t* error = nullptr;
        if (libfmapi_lzfu_decompress(out_pff.data(), &size, st.compressed.data(), st.compressed.size(), &error) != 1)
          libpff_error_free(&error);
      }
    };
    Paired p = time_pair(reps, ours, pff);
    size_t our_compressed = 0;
    auto compress_all = [&] {
      our_compressed = 0;
      for (const auto& t : s->texts) our_compressed += rtf::compress(t).size();
    };
    double tc = time_median(reps, compress_all);
    double mb = static_cast<double>(s->raw_total) / 1e6;
    std::printf("%-30s %9.2f %8zu | %11.1f %11.1f %6.2fx | %11.1f %8.1f%% %8.1f%%\n", s->name.c_str(), mb,
                s->streams.size(), mb / p.ours, mb / p.baseline, p.ratio, mb / tc,
                100.0 * static_cast<double>(our_compressed) / static_cast<double>(s->raw_total),
                100.0 * static_cast<double>(s->compressed_total) / static_cast<double>(s->raw_total));
  }
  std::printf("\nratio = median over repetitions of (libpff time / our time), decoders run alternately.\n"
              "ours %% = our compressed size / RTF size; given %% = the streams as stored (Outlook's own\n"
              "encoder for msg/rtf, ours for the generated set).\n");
  return 0;
}
