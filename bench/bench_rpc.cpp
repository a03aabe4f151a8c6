// EcDoRpcExt2 round trips against exmapi-server over loopback, next to a bare
// dcerpc_binding_handle_raw_call of the same stub bytes in the same run: the difference is what
// exmapi itself adds per call (ROP encoding, RPC_HEADER_EXT framing, NDR, and the decoding back).
// Also a ~30 KB request with a ~30 KB response per call (several RPC fragments each way), whose time
// shows whether Nagle's algorithm stalls multi-fragment calls (~40 ms each if it did).
// Usage: bench_rpc [calls-per-run] [runs]. Starts exmapi-server on a temporary seeded store itself.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "../tests/server_process.hpp"
#include "mapi/session.hpp"
#include "ndr/ndr.hpp"
#include "wire/extended_buffer.hpp"
#include "rpc/emsmdb_client.hpp"
#include "server/store/sample_org.hpp"

using namespace exmapi;

namespace {

// EcDoRpcExt2 pulFlags: plain buffers both ways, as the bare call sends them too.
constexpr uint32_t kNoCompressionNoXor = 0x00000003;
constexpr uint32_t kMaxOut = 0x40000;

class EmsmdbTransport final : public mapi::RopTransport {
 public:
  explicit EmsmdbTransport(rpc::EmsmdbClient& c) : client_(c) {}
  Bytes execute(ByteView rop_in, uint32_t max_out) override {
    return client_.rpc_ext2(kNoCompressionNoXor, Bytes(rop_in.begin(), rop_in.end()), max_out).out;
  }

 private:
  rpc::EmsmdbClient& client_;
};

// Answers every execute() with one recorded rgbOut, after the NDR work a real call does on the
// client: encoding the request stub and decoding the recorded response stub. What remains is
// exmapi's own per-call cost without the network and the server.
class RecordedTransport final : public mapi::RopTransport {
 public:
  RecordedTransport(ndr::ContextHandle cxh, Bytes response_stub) : cxh_(cxh), response_stub_(std::move(response_stub)) {}
  Bytes execute(ByteView rop_in, uint32_t max_out) override {
    ndr::emsmdb::EcDoRpcExt2::Request r;
    r.cxh = cxh_;
    r.flags = kNoCompressionNoXor;
    r.in.assign(rop_in.begin(), rop_in.end());
    r.out_size = max_out;
    r.aux_out_size = 0x1008;
    Bytes stub = ndr::encode_stub(r);
    sink_ += stub.size();
    return ndr::decode_stub<ndr::emsmdb::EcDoRpcExt2::Response>(response_stub_).out;
  }
  size_t sink_ = 0;

 private:
  ndr::ContextHandle cxh_;
  Bytes response_stub_;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <class Fn>
double seconds(Fn&& fn) {
  auto a = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

// The EcDoRpcExt2 stub a Session would send for `batch`, for the bare calls.
Bytes ext2_stub(const rpc::EmsmdbClient& client, const mapi::RopBatch& batch) {
  ndr::emsmdb::EcDoRpcExt2::Request r;
  r.cxh = client.session();
  r.flags = kNoCompressionNoXor;
  r.in = wire::pack(rop::encode_request_buffer(batch.buffer()));
  r.out_size = kMaxOut;
  r.aux_out_size = 0x1008;
  return ndr::encode_stub(r);
}

}  // namespace

int main(int argc, char** argv) {
  int calls = argc > 1 ? std::atoi(argv[1]) : 2000;
  int runs = argc > 2 ? std::atoi(argv[2]) : 7;
  if (calls <= 0 || runs <= 0) {
    std::fprintf(stderr, "usage: bench_rpc [calls-per-run] [runs]\n");
    return 64;
  }
  try {
    test::ServerProcess server;
    rpc::ConnectOptions options;
    options.host = "127.0.0.1";
    options.port = server.port();
    rpc::EmsmdbClient client(options);
    ndr::emsmdb::EcDoConnectEx::Request connect;
    connect.user_dn = server::sample::user_dn("alice");
    connect.cpid = 1252;
    connect.lcid_string = connect.lcid_sort = 0x409;
    connect.icxr_link = 0xFFFFFFFF;
    connect.client_version = {0x000C, 0x183E, 0x03E8};
    connect.aux_out_size = 0x1008;
    client.connect_ex(connect);
    EmsmdbTransport transport(client);
    mapi::SessionOptions so;
    so.compress = so.obfuscate = false;
    mapi::Session session(transport, so);
    session.logon_private_mailbox(server::sample::user_dn("alice"));

    // A typical small call: the receive folder of IPM.Note (one ROP on the logon).
    mapi::RopBatch small;
    {
      rop::RopGetReceiveFolder::Request r;
      r.logon_id = session.logon_id();
      r.input_handle_index = small.input(session.logon_handle());
      r.message_class = "IPM.Note";
      small.add(r);
    }
    // A large call: a new message in the Inbox gets 30000 incompressible bytes and gives them back
    // (~30 KB each way, several 5840-byte fragments), then is released unsaved.
    mapi::RopBatch large;
    {
      std::mt19937 rng(7);
      Bytes blob(30000);
      for (auto& b : blob) b = static_cast<uint8_t>(rng());
      constexpr rop::PropTag kBlobTag = 0x10090102;  // PidTagRtfCompressed: any binary property serves
      uint8_t logon = large.input(session.logon_handle());
      uint8_t message = large.output();
      rop::RopCreateMessage::Request create;
      create.logon_id = session.logon_id();
      create.input_handle_index = logon;
      create.output_handle_index = message;
      create.code_page_id = 0x0FFF;
      create.folder_id = session.folders().inbox;
      large.add(create);
      rop::RopSetProperties::Request set;
      set.logon_id = session.logon_id();
      set.input_handle_index = message;
      set.property_values = {{kBlobTag, rop::PropertyValue::binary(blob)}};
      large.add(set);
      rop::RopGetPropertiesSpecific::Request get;
      get.logon_id = session.logon_id();
      get.input_handle_index = message;
      get.property_tags = {kBlobTag};
      large.add(get);
      rop::RopRelease::Request release;
      release.logon_id = session.logon_id();
      release.input_handle_index = message;
      large.add(release);
    }
    Bytes small_stub = ext2_stub(client, small), large_stub = ext2_stub(client, large);
    rpc::Connection& pipe = client.connection();
    auto bare = [&](const Bytes& stub, int n) {
      for (int i = 0; i < n; ++i) pipe.raw_call(ndr::emsmdb::EcDoRpcExt2::kOpnum, stub, "EcDoRpcExt2");
    };
    auto full = [&](const mapi::RopBatch& batch, int n) {
      for (int i = 0; i < n; ++i) session.execute(batch);
    };
    full(small, 50), bare(small_stub, 50);  // warm-up

    std::vector<double> t_full, t_bare, overhead;
    for (int r = 0; r < runs; ++r) {
      double f = seconds([&] { full(small, calls); }) / calls;
      double b = seconds([&] { bare(small_stub, calls); }) / calls;
      t_full.push_back(f), t_bare.push_back(b), overhead.push_back(f - b);
    }
    // The same small call against a recorded answer: exmapi's work alone, no network, no server.
    RecordedTransport recorded(client.session(), pipe.raw_call(ndr::emsmdb::EcDoRpcExt2::kOpnum, small_stub, "EcDoRpcExt2"));
    mapi::Session offline(recorded, so);
    std::vector<double> t_local;
    for (int r = 0; r < runs; ++r)
      t_local.push_back(seconds([&] {
                          for (int i = 0; i < calls; ++i) offline.execute(small);
                        }) /
                        calls);
    int large_calls = std::max(1, calls / 20);
    std::vector<double> l_full, l_bare;
    for (int r = 0; r < runs; ++r) {
      l_full.push_back(seconds([&] { full(large, large_calls); }) / large_calls);
      l_bare.push_back(seconds([&] { bare(large_stub, large_calls); }) / large_calls);
    }
    double large_bytes = static_cast<double>(large_stub.size()) + 30000.0;  // request stub + the blob coming back
    std::printf("EcDoRpcExt2 over ncacn_ip_tcp, loopback, anonymous; %d runs (medians)\n", runs);
    std::printf("small call (RopGetReceiveFolder, %zu-byte stub), %d calls per run:\n", small_stub.size(), calls);
    std::printf("  exmapi Session::execute        %8.1f us/call  %8.0f calls/s\n", median(t_full) * 1e6, 1 / median(t_full));
    std::printf("  bare raw_call, same stub bytes %8.1f us/call  %8.0f calls/s\n", median(t_bare) * 1e6, 1 / median(t_bare));
    std::printf("  difference per call            %8.1f us (median of per-run differences; noisy: calls vary by more)\n",
                median(overhead) * 1e6);
    std::printf("  exmapi's own work per call     %8.2f us (ROP+RPC_HEADER_EXT+NDR encode and decode against a\n"
                "                                              recorded answer, no network; target <= 5 us)\n",
                median(t_local) * 1e6);
    std::printf("large call (~30 KB each way, %zu-byte request stub), %d calls per run:\n", large_stub.size(), large_calls);
    std::printf("  exmapi Session::execute        %8.2f ms/call  %8.1f MB/s\n", median(l_full) * 1e3,
                large_bytes / median(l_full) / 1e6);
    std::printf("  bare raw_call, same stub bytes %8.2f ms/call  %8.1f MB/s\n", median(l_bare) * 1e3,
                large_bytes / median(l_bare) / 1e6);
    std::printf("  (a Nagle stall would cost ~40 ms per call)\n");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_rpc: %s\n", e.what());
    return 1;
  }
}
