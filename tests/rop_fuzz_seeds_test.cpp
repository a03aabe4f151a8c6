// fuzz/corpus/rop holds a seed for every described ROP: request seeds are whole ROP input buffers,
// response seeds are one context byte (see fuzz_rop_response.cpp) plus a response. This test checks
// that every described ROP has its seed and that each seed decodes; EXMAPI_UPDATE_FUZZ_SEEDS=1
// (re)writes them from the samples first.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "rop/rop_buffer.hpp"
#include "test_support.hpp"

namespace exmapi::rop {
namespace {

namespace fs = std::filesystem;

fs::path corpus_dir() { return fs::path(EXMAPI_SOURCE_DIR) / "fuzz" / "corpus" / "rop"; }

void write_seeds() {
  fs::create_directories(corpus_dir());
  for (const DescribedRop& d : described_rops()) {
    std::string name = rop_name(d.id);
    if (d.request) {
      RopRequestBuffer b;
      b.rops.push_back(sample_request(d.id, 7));
      b.handles = {0x00000012, 0xFFFFFFFF};
      Bytes bytes = encode_request_buffer(b);
      std::ofstream(corpus_dir() / ("request_" + name + ".bin"), std::ios::binary)
          .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
    if (d.response) {
      uint8_t selector = 1;  // private logon, sample columns
      ResponseContext context = sample_context(selector);
      ByteWriter w;
      w.u8(selector);
      encode_response(w, sample_response(d.id, 7, ec::Success, context));
      std::ofstream(corpus_dir() / ("response_" + name + ".bin"), std::ios::binary)
          .write(reinterpret_cast<const char*>(w.data().data()), static_cast<std::streamsize>(w.size()));
    }
  }
}

TEST(RopFuzzSeeds, EveryDescribedRopHasADecodableSeed) {
  if (std::getenv("EXMAPI_UPDATE_FUZZ_SEEDS")) write_seeds();
  std::set<RopId> requests, responses;
  ASSERT_TRUE(fs::is_directory(corpus_dir())) << corpus_dir();
  for (auto& e : fs::directory_iterator(corpus_dir())) {
    Bytes b = test::read_file(e.path());
    std::string file = e.path().filename().string();
    if (file.rfind("request_", 0) == 0) {
      // Request samples are made against sample_context(7)'s logon, whatever their LogonId.
      LogonFlagsState logons;
      for (unsigned id = 0; id < 256; ++id) logons.flags_by_logon_id[static_cast<uint8_t>(id)] = *sample_context(7).logon_flags;
      RopRequestBuffer buffer = decode_request_buffer(b, &logons);
      for (auto& rop : buffer.rops) requests.insert(rop_id(rop));
    } else if (file.rfind("response_", 0) == 0) {
      ASSERT_FALSE(b.empty());
      ResponseContext context = sample_context(b[0]);
      ByteReader r(ByteView(b).subspan(1), 1);
      responses.insert(rop_id(decode_response(r, &context)));
      EXPECT_TRUE(r.empty()) << file;
    }
  }
  for (const DescribedRop& d : described_rops()) {
    EXPECT_TRUE(!d.request || requests.count(d.id)) << rop_name(d.id) << " has no request seed";
    EXPECT_TRUE(!d.response || responses.count(d.id)) << rop_name(d.id) << " has no response seed";
  }
}

}  // namespace
}  // namespace exmapi::rop
