// Execute over MAPI over HTTP next to EcDoRpcExt2 over ncacn_ip_tcp, in the same run, against one
// exmapi-server on one seeded store over loopback: the same Session, the same ROP batches, only the
// RopTransport differs. A small call (one ROP) gives round trips per second; a ~30 KB request with
// a ~30 KB response gives MB/s. Ratios are MAPI/HTTP over RPC.
// Usage: bench_mapihttp [calls-per-run] [runs]. Starts exmapi-server itself.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "../tests/server_process.hpp"
#include "mapi/connect.hpp"
#include "server/store/sample_org.hpp"

using namespace exmapi;

namespace {

template <class Fn>
double seconds(Fn&& fn) {
  auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

mapi::RopBatch small_batch(mapi::Session& s) {
  mapi::RopBatch b;
  rop::RopGetReceiveFolder::Request r;
  r.logon_id = s.logon_id();
  r.input_handle_index = b.input(s.logon_handle());
  r.message_class = "IPM.Note";
  b.add(r);
  return b;
}

// A new Inbox message gets 30000 incompressible bytes and gives them back, then is released unsaved.
mapi::RopBatch large_batch(mapi::Session& s) {
  std::mt19937 rng(7);
  Bytes blob(30000);
  for (auto& x : blob) x = static_cast<uint8_t>(rng());
  constexpr rop::PropTag kBlobTag = 0x10090102;
  mapi::RopBatch b;
  uint8_t logon = b.input(s.logon_handle());
  uint8_t message = b.output();
  rop::RopCreateMessage::Request create;
  create.logon_id = s.logon_id();
  create.input_handle_index = logon;
  create.output_handle_index = message;
  create.code_page_id = 0x0FFF;
  create.folder_id = s.folders().inbox;
  b.add(create);
  rop::RopSetProperties::Request set;
  set.logon_id = s.logon_id();
  set.input_handle_index = message;
  set.property_values = {{kBlobTag, rop::PropertyValue::binary(blob)}};
  b.add(set);
  rop::RopGetPropertiesSpecific::Request get;
  get.logon_id = s.logon_id();
  get.input_handle_index = message;
  get.property_tags = {kBlobTag};
  b.add(get);
  rop::RopRelease::Request release;
  release.logon_id = s.logon_id();
  release.input_handle_index = message;
  b.add(release);
  return b;
}

struct Figures {
  double small_s = 0, large_s = 0;
};

Figures measure(mapi::Session& s, int calls, int large_calls, int runs) {
  mapi::RopBatch small = small_batch(s), large = large_batch(s);
  for (int i = 0; i < 50; ++i) s.execute(small);  // warm-up
  for (int i = 0; i < 5; ++i) s.execute(large);
  std::vector<double> t_small, t_large;
  for (int r = 0; r < runs; ++r) {
    t_small.push_back(seconds([&] {
                        for (int i = 0; i < calls; ++i) s.execute(small);
                      }) / calls);
    t_large.push_back(seconds([&] {
                        for (int i = 0; i < large_calls; ++i) s.execute(large);
                      }) / large_calls);
  }
  return {median(t_small), median(t_large)};
}

}  // namespace

int main(int argc, char** argv) {
  int calls = argc > 1 ? std::atoi(argv[1]) : 1000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  if (calls <= 0 || runs <= 0) {
    std::fprintf(stderr, "usage: bench_mapihttp [calls-per-run] [runs]\n");
    return 64;
  }
  int large_calls = std::max(1, calls / 10);
  try {
    test::ServerProcess server(std::vector<std::string>{"--http-port", "0"});
    mapi::SessionOptions so;
    so.compress = so.obfuscate = false;

    mapi::ConnectSpec rpc;
    rpc.server = "127.0.0.1";
    rpc.port = server.port();
    rpc.user = "alice";
    rpc.auth = mapi::Auth::Anonymous;
    rpc.session_options = so;
    auto rpc_connection = mapi::connect(rpc);

    mapi::ConnectSpec mh;
    mh.user = "alice";
    for (const auto& u : server::sample::kUsers)
      if (u.account == "alice") mh.password = std::string(u.password);
    mapi::MapiHttpSpec m;
    m.mailbox_url = "http://127.0.0.1:" + std::to_string(server.http_port()) + "/mapi/emsmdb/";
    m.auth = http::AuthScheme::kBasic;
    mh.mapi_http = m;
    mh.session_options = so;
    auto mh_connection = mapi::connect(mh);

    Figures r = measure(rpc_connection->session(), calls, large_calls, runs);
    Figures h = measure(mh_connection->session(), calls, large_calls, runs);
    const double large_bytes = 2 * 30000.0;  // the blob each way
    std::printf("Execute round trips over loopback, same server and store, plain buffers; %d runs (medians)\n", runs);
    std::printf("small call (RopGetReceiveFolder), %d calls per run:\n", calls);
    std::printf("  RPC (ncacn_ip_tcp, anonymous)   %8.1f us/call  %8.0f calls/s\n", r.small_s * 1e6, 1 / r.small_s);
    std::printf("  MAPI/HTTP (Basic, keep-alive)   %8.1f us/call  %8.0f calls/s\n", h.small_s * 1e6, 1 / h.small_s);
    std::printf("  MAPI/HTTP / RPC time            %8.2fx\n", h.small_s / r.small_s);
    std::printf("large call (~30 KB each way), %d calls per run:\n", large_calls);
    std::printf("  RPC                             %8.2f ms/call  %8.1f MB/s\n", r.large_s * 1e3, large_bytes / r.large_s / 1e6);
    std::printf("  MAPI/HTTP                       %8.2f ms/call  %8.1f MB/s\n", h.large_s * 1e3, large_bytes / h.large_s / 1e6);
    std::printf("  MAPI/HTTP / RPC time            %8.2fx\n", h.large_s / r.large_s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_mapihttp: %s\n", e.what());
    return 1;
  }
  return 0;
}
