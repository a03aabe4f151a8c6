// fuzz/corpus/mapihttp holds a seed for every MAPI/HTTP body (one selector byte, see
// fuzz_mapihttp.cpp, then the body) and streamed responses built from tests/data/mapihttp. This
// test checks that each body type has its request and response seeds and that every seed decodes;
// EXMAPI_UPDATE_FUZZ_SEEDS=1 (re)writes them first.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "mapihttp/bodies.hpp"
#include "test_support.hpp"

namespace exmapi::mapihttp {
namespace {

namespace fs = std::filesystem;

fs::path corpus_dir() { return fs::path(EXMAPI_SOURCE_DIR) / "fuzz" / "corpus" / "mapihttp"; }

std::vector<RequestType> body_types() {
  std::vector<RequestType> out;
  for (RequestType t : all_request_types())
    if (has_body(t)) out.push_back(t);
  return out;
}

void write(const fs::path& p, uint8_t selector, ByteView bytes) {
  std::ofstream out(p, std::ios::binary);
  out.put(static_cast<char>(selector));
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void write_seeds() {
  fs::create_directories(corpus_dir());
  auto types = body_types();
  for (size_t i = 0; i < types.size(); ++i) {
    std::string name(request_type_name(types[i]));
    write(corpus_dir() / ("request_" + name + ".bin"), static_cast<uint8_t>(2 * i), encode_request(sample_request(types[i], 7)));
    write(corpus_dir() / ("response_" + name + ".bin"), static_cast<uint8_t>(2 * i + 1),
          encode_response(sample_response(types[i], 7, 0)));
  }
  // A streamed Bind response: the selector picks Bind (index 4) modulo the type count.
  size_t bind = 4;
  std::string head = "PROCESSING\r\nPENDING\r\nDONE\r\nX-ElapsedTime: 2\r\nX-StartTime: Fri, 27 Nov 2026 07:12:40 GMT\r\n\r\n";
  Bytes stream;
  stream.push_back(3);  // chunk size selector
  stream.insert(stream.end(), head.begin(), head.end());
  Bytes body = encode_response(sample_response(RequestType::Bind, 7, 0));
  stream.insert(stream.end(), body.begin(), body.end());
  write(corpus_dir() / "stream_Bind.bin", static_cast<uint8_t>(2 * types.size() + bind), stream);
}

TEST(MapiHttpFuzzSeeds, EveryBodyTypeHasADecodableSeed) {
  if (std::getenv("EXMAPI_UPDATE_FUZZ_SEEDS")) write_seeds();
  auto types = body_types();
  std::set<size_t> selectors;
  ASSERT_TRUE(fs::is_directory(corpus_dir())) << corpus_dir();
  size_t streams = 0;
  for (auto& e : fs::directory_iterator(corpus_dir())) {
    Bytes b = test::read_file(e.path());
    ASSERT_FALSE(b.empty()) << e.path();
    size_t selector = b[0];
    ByteView rest = ByteView(b).subspan(1);
    if (selector < 2 * types.size()) {
      selectors.insert(selector);
      if (selector % 2 == 0)
        EXPECT_NO_THROW(decode_request(types[selector / 2], rest)) << e.path();
      else
        EXPECT_NO_THROW(decode_response(types[selector / 2], rest)) << e.path();
    } else {
      ++streams;
      ResponseStreamParser p;
      p.feed(rest.subspan(1));
      p.finish();
      EXPECT_NO_THROW(decode_response(types[selector % types.size()], p.body())) << e.path();
    }
  }
  EXPECT_EQ(selectors.size(), 2 * types.size());
  EXPECT_GE(streams, 1u);
}

}  // namespace
}  // namespace exmapi::mapihttp
