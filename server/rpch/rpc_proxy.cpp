#include "server/rpch/rpc_proxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>

#include "base/error.hpp"
#include "server/rpch/rts.hpp"

namespace exmapi::server::rpch {

namespace {

constexpr uint32_t kRtsVersion = 1;
// The Content-Length of an OUT channel response: the channel's lifetime in bytes (MS-RPCH 2.1.2.1.2
// leaves it to the proxy; recycling, which would go past it, is not supported).
constexpr uint64_t kOutChannelLength = 0x40000000;
constexpr uint16_t kWellKnownPorts[] = {6001, 6002, 6004};

std::string cookie_key(const Cookie& c) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : c) s += kHex[b >> 4], s += kHex[b & 15];
  return s;
}

// Cuts a channel's byte stream into whole PDUs by their frag_length.
class PduAssembler {
 public:
  void append(ByteView b) { buf_.insert(buf_.end(), b.begin(), b.end()); }
  std::optional<Bytes> next() {
    std::optional<size_t> length;
    try {
      length = announced_pdu_length(ByteView(buf_.data() + used_, buf_.size() - used_));
    } catch (DecodeError& e) {
      throw DecodeError(stream_offset_ + e.offset(), e.path(), e.reason());
    }
    if (!length || buf_.size() - used_ < *length) {
      compact();
      return std::nullopt;
    }
    Bytes pdu(buf_.begin() + static_cast<ptrdiff_t>(used_), buf_.begin() + static_cast<ptrdiff_t>(used_ + *length));
    used_ += *length;
    stream_offset_ += *length;
    return pdu;
  }
  size_t stream_offset() const { return stream_offset_; }

 private:
  void compact() {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<ptrdiff_t>(used_));
    used_ = 0;
  }
  Bytes buf_;
  size_t used_ = 0;
  size_t stream_offset_ = 0;  // of buf_[used_] in the whole stream, for error messages
};

void send_all(int fd, ByteView data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("sending to the RPC server failed: ") + std::strerror(errno));
    done += static_cast<size_t>(n);
  }
}

int connect_backend(const std::string& address, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) return -1;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// One virtual connection (MS-RPCH 3.2.3.1): the client's IN and OUT channels and the TCP
// connection to the RPC server they share.
struct VirtualConnection {
  explicit VirtualConnection(std::string key) : key(std::move(key)) {
    if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2 failed");
  }
  ~VirtualConnection() {
    if (backend >= 0) ::close(backend);
    ::close(wake_pipe[0]);
    ::close(wake_pipe[1]);
  }

  // Under `m`.
  void close(const std::string& reason) {
    if (closed) return;
    closed = true;
    why = reason;
    if (backend >= 0) shutdown(backend, SHUT_RDWR);
    wake();
    cv.notify_all();
  }
  void wake() {
    char x = 1;
    (void)!write(wake_pipe[1], &x, 1);
  }

  const std::string key;
  std::mutex m;
  std::condition_variable cv;
  std::string user;
  std::optional<ConnA1> a1;
  std::optional<ConnB1> b1;
  bool in_attached = false, out_attached = false;
  int backend = -1;
  bool closed = false;
  std::string why;
  std::deque<Bytes> control;  // RTS PDUs for the client, sent at the next PDU boundary of the OUT channel
  int wake_pipe[2] = {-1, -1};
  // Flow control (MS-RPCH 3.2.1.1.4). IN: what the client sent us; OUT: what we sent the client.
  uint64_t in_received = 0, in_acknowledged = 0;
  uint64_t out_sent = 0, out_acknowledged = 0;
  uint32_t out_window = 0;
  bool client_acknowledges = false;
};

using VcPtr = std::shared_ptr<VirtualConnection>;

http::Response refuse(unsigned status, const std::string& why) {
  std::cerr << "exmapi-server: rpc proxy: " << why << "\n";
  return http::Response::text(status, why);
}

}  // namespace

struct RpcProxy::Impl {
  ProxyOptions options;
  std::mutex m;
  std::map<std::string, VcPtr> connections;

  // Joins a channel to the virtual connection its cookie names, creating it for the first one.
  VcPtr attach(const Cookie& cookie, const std::string& user, bool in) {
    std::lock_guard lock(m);
    std::string key = cookie_key(cookie);
    VcPtr& vc = connections[key];
    if (!vc) vc = std::make_shared<VirtualConnection>(key);
    std::lock_guard vlock(vc->m);
    bool& attached = in ? vc->in_attached : vc->out_attached;
    if (attached)
      throw std::runtime_error(std::string("a second ") + (in ? "IN" : "OUT") +
                               " channel for one virtual connection (channel recycling is not supported)");
    if (!vc->user.empty() && vc->user != user)
      throw std::runtime_error("the IN and OUT channels authenticated as different users (" + vc->user + ", " + user + ")");
    attached = true;
    vc->user = user;
    return vc;
  }
  void forget(const VcPtr& vc) {
    std::lock_guard lock(m);
    auto it = connections.find(vc->key);
    if (it != connections.end() && it->second == vc) connections.erase(it);
  }
};

namespace {

std::optional<uint16_t> requested_port(const std::string& query) {
  // "HOST:PORT" (MS-RPCH 2.2.2): the RPC server and its endpoint.
  auto colon = query.rfind(':');
  if (colon == std::string::npos || colon + 1 == query.size() || query.size() - colon > 6) return std::nullopt;
  unsigned v = 0;
  for (size_t i = colon + 1; i < query.size(); ++i) {
    if (query[i] < '0' || query[i] > '9') return std::nullopt;
    v = v * 10 + static_cast<unsigned>(query[i] - '0');
  }
  if (v == 0 || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

// RPC_IN_DATA: CONN/B1, then the client's RPC PDUs for the server, with RTS PDUs (flow control
// acknowledgments for the OUT channel, pings) mixed in.
class InChannel final : public http::Exchange {
 public:
  InChannel(std::shared_ptr<RpcProxy::Impl> proxy, std::string user) : proxy_(std::move(proxy)), user_(std::move(user)) {}
  ~InChannel() override { on_closed(); }

  std::optional<http::Response> on_body(ByteView chunk) override {
    try {
      assembler_.append(chunk);
      while (std::optional<Bytes> pdu = assembler_.next()) {
        if (!vc_) {
          if (pdu_type(*pdu) != kPtypeRts) return fail(400, "the IN channel does not start with CONN/B1");
          ConnB1 b1 = parse_conn_b1(decode_rts(*pdu));
          vc_ = proxy_->attach(b1.virtual_connection, user_, true);
          std::lock_guard lock(vc_->m);
          vc_->b1 = b1;
          vc_->cv.notify_all();
          vc_->wake();
          continue;
        }
        if (pdu_type(*pdu) == kPtypeRts) {
          if (std::optional<http::Response> r = on_rts(decode_rts(*pdu))) return r;
          continue;
        }
        if (std::optional<http::Response> r = forward(*pdu)) return r;
      }
      return std::nullopt;
    } catch (const DecodeError& e) {
      return fail(400, std::string("malformed PDU on the IN channel: ") + e.what());
    } catch (const std::exception& e) {
      return fail(400, std::string("IN channel: ") + e.what());
    }
  }

  http::Response on_complete() override {
    // The client used up the channel's Content-Length: the virtual connection ends with it.
    close("the IN channel's body ended");
    return http::Response::text(200, "IN channel closed");
  }

  void on_closed() override { close("the client closed the IN channel"); }

 private:
  std::optional<http::Response> on_rts(const RtsPdu& rts) {
    if (rts.flags & kRtsFlagPing) return std::nullopt;  // a keep-alive (2.2.4.49): it has done its job by arriving
    for (const RtsCommand& c : rts.commands) {
      if (const auto* ack = std::get_if<FlowControlAck>(&c)) {
        // FlowControlAckWithDestination (2.2.4.51) for the OUT channel, which this proxy sends.
        std::lock_guard lock(vc_->m);
        if (!vc_->a1 || ack->channel_cookie != vc_->a1->out_channel) return std::nullopt;  // 3.2.1.5.1.1: discard
        vc_->client_acknowledges = true;
        // BytesReceived is the low 32 bits of the count: rebuild the full count near what we sent.
        uint64_t base = vc_->out_sent & ~uint64_t{0xFFFFFFFF};
        uint64_t acked = base | ack->bytes_received;
        if (acked > vc_->out_sent) acked -= uint64_t{1} << 32;
        vc_->out_acknowledged = acked;
        vc_->out_window = ack->available_window;
        vc_->cv.notify_all();
        vc_->wake();
        return std::nullopt;
      }
    }
    return fail(400, "unsupported RTS PDU on the IN channel (" + describe(rts) + "); channel recycling is not implemented");
  }

  std::optional<http::Response> forward(const Bytes& pdu) {
    int fd;
    {
      std::unique_lock lock(vc_->m);
      // The OUT channel connects the server; the client sends nothing before CONN/C2, but be patient.
      auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(proxy_->options.connection_timeout_ms);
      if (!vc_->cv.wait_until(lock, deadline, [&] { return vc_->backend >= 0 || vc_->closed; }))
        vc_->close("no OUT channel joined the virtual connection in time");
      if (vc_->closed) return fail(503, "the virtual connection is closed: " + vc_->why);
      fd = vc_->backend;
      vc_->in_received += pdu.size();
      // MS-RPCH 3.2.3.5.5 would have this proxy acknowledge the IN traffic once half its window
      // is used. Measured: Samba 4.17's client takes any RTS PDU on the OUT channel after CONN/C2 for
      // an RPC PDU and the call never completes (a 640 KiB exchange stalled until its 60 s
      // timeout). Samba never waits for acknowledgments either, so the proxy only counts.
      vc_->in_acknowledged = vc_->in_received;
    }
    send_all(fd, pdu);
    return std::nullopt;
  }

  http::Response fail(unsigned status, const std::string& why) {
    close(why);
    return refuse(status, why);
  }

  void close(const std::string& why) {
    if (!vc_) return;
    {
      std::lock_guard lock(vc_->m);
      vc_->close(why);
    }
    proxy_->forget(vc_);
  }

  std::shared_ptr<RpcProxy::Impl> proxy_;
  std::string user_;
  PduAssembler assembler_;
  VcPtr vc_;
};

// What the OUT channel's response body streams: CONN/A3, CONN/C2, then the server's PDUs with the
// proxy's own RTS PDUs (acknowledgments, pings) between them.
class OutPump {
 public:
  OutPump(std::shared_ptr<RpcProxy::Impl> proxy, VcPtr vc) : proxy_(std::move(proxy)), vc_(std::move(vc)) {}

  size_t write(uint8_t* out, size_t max) {
    for (;;) {
      if (ready_at_ < ready_.size()) {
        size_t n = std::min(max, ready_.size() - ready_at_);
        std::memcpy(out, ready_.data() + ready_at_, n);
        ready_at_ += n;
        return n;
      }
      if (!next_pdu()) return 0;
    }
  }

 private:
  void ready(Bytes pdu) {
    ready_ = std::move(pdu);
    ready_at_ = 0;
  }

  // Puts the next whole PDU in ready_; false when the channel ends.
  bool next_pdu() {
    const ProxyOptions& o = proxy_->options;
    int fd, wake;
    {
      std::unique_lock lock(vc_->m);
      if (!a3_sent_) {
        a3_sent_ = true;
        ready(make_conn_a3(o.connection_timeout_ms));
        return true;
      }
      if (!c2_sent_) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.connection_timeout_ms);
        if (!vc_->cv.wait_until(lock, deadline, [&] { return vc_->b1.has_value() || vc_->closed; }))
          vc_->close("no IN channel joined the virtual connection in time");
        if (vc_->closed) return false;
        c2_sent_ = true;
        ready(make_conn_c2(kRtsVersion, o.receive_window, o.connection_timeout_ms));
        return true;
      }
      if (!vc_->control.empty()) {
        ready(std::move(vc_->control.front()));
        vc_->control.pop_front();
        return true;
      }
      if (vc_->closed) return false;
      fd = vc_->backend;
      wake = vc_->wake_pipe[0];
    }
    if (std::optional<Bytes> pdu = from_server_.next()) {
      std::unique_lock lock(vc_->m);
      // A client that acknowledges gets no more than its window (3.2.1.4.1.3); Samba's never does,
      // and is sent to at TCP's pace.
      while (vc_->client_acknowledges && !vc_->closed &&
             vc_->out_sent + pdu->size() > vc_->out_acknowledged + vc_->out_window)
        vc_->cv.wait(lock);
      if (vc_->closed) return false;
      vc_->out_sent += pdu->size();
      ready(std::move(*pdu));
      return true;
    }
    pollfd p[2] = {{fd, POLLIN, 0}, {wake, POLLIN, 0}};
    // No Ping on an idle OUT channel (MS-RPCH 3.2.3.4 keep-alive): Samba's client breaks on any RTS
    // PDU once the connection is open (docs/rpc_over_http.md), and loopback has no intermediary
    // that would drop an idle connection.
    int n = poll(p, 2, -1);
    if (n < 0 && errno != EINTR) return close(std::string("poll failed: ") + std::strerror(errno)), false;
    if (p[1].revents) {
      char drain[64];
      while (read(wake, drain, sizeof drain) > 0) {
      }
    }
    if (p[0].revents) {
      uint8_t buf[64 * 1024];
      ssize_t got = recv(fd, buf, sizeof buf, 0);
      if (got <= 0) return close(got == 0 ? "the RPC server closed the connection" : "reading from the RPC server failed"), false;
      from_server_.append(ByteView(buf, static_cast<size_t>(got)));
    }
    return true;
  }

  void close(const std::string& why) {
    std::lock_guard lock(vc_->m);
    vc_->close(why);
  }

  std::shared_ptr<RpcProxy::Impl> proxy_;
  VcPtr vc_;
  PduAssembler from_server_;
  Bytes ready_;
  size_t ready_at_ = 0;
  bool a3_sent_ = false, c2_sent_ = false;
};

// RPC_OUT_DATA: CONN/A1 as the body; the answer streams the OUT channel.
class OutChannel final : public http::Exchange {
 public:
  OutChannel(std::shared_ptr<RpcProxy::Impl> proxy, std::string user, uint16_t backend_port)
      : proxy_(std::move(proxy)), user_(std::move(user)), backend_port_(backend_port) {}
  ~OutChannel() override { on_closed(); }

  std::optional<http::Response> on_body(ByteView chunk) override {
    try {
      assembler_.append(chunk);
      while (std::optional<Bytes> pdu = assembler_.next()) {
        if (a1_) return refuse(400, "the OUT channel request carries more than CONN/A1");
        if (pdu_type(*pdu) != kPtypeRts) return refuse(400, "the OUT channel request is not CONN/A1");
        a1_ = parse_conn_a1(decode_rts(*pdu));
      }
      return std::nullopt;
    } catch (const DecodeError& e) {
      return refuse(400, std::string("malformed CONN/A1: ") + e.what());
    }
  }

  http::Response on_complete() override {
    if (!a1_) return refuse(400, "the OUT channel request has no CONN/A1");
    if (a1_->receive_window < 0x2000)
      return refuse(400, "CONN/A1 announces a receive window of " + std::to_string(a1_->receive_window) +
                             " bytes, below MS-RPCH's 8 KiB minimum");
    const ProxyOptions& o = proxy_->options;
    int fd = connect_backend(o.backend_address, backend_port_);
    if (fd < 0) {
      // MS-RPCH 2.1.2.1.3: an RPC error; 0x6BA is RPC_S_SERVER_UNAVAILABLE.
      http::Response r = refuse(503, "cannot reach the RPC server " + o.backend_address + ":" +
                                         std::to_string(backend_port_) + ": " + std::strerror(errno));
      r.headers.emplace_back("X-RPC-Error", "6BA");
      return r;
    }
    try {
      vc_ = proxy_->attach(a1_->virtual_connection, user_, false);
    } catch (const std::exception& e) {
      ::close(fd);
      return refuse(400, e.what());
    }
    {
      std::lock_guard lock(vc_->m);
      vc_->a1 = a1_;
      vc_->out_window = a1_->receive_window;
      vc_->backend = fd;
      vc_->cv.notify_all();
    }
    auto pump = std::make_shared<OutPump>(proxy_, vc_);
    http::Response r;
    r.status = 200;
    r.headers.emplace_back("Content-Type", "application/rpc");
    r.stream = [pump](uint8_t* out, size_t max) { return pump->write(out, max); };
    r.stream_length = kOutChannelLength;
    return r;
  }

  void on_closed() override {
    if (!vc_) return;
    {
      std::lock_guard lock(vc_->m);
      vc_->close("the client closed the OUT channel");
    }
    proxy_->forget(vc_);
  }

 private:
  std::shared_ptr<RpcProxy::Impl> proxy_;
  std::string user_;
  uint16_t backend_port_;
  PduAssembler assembler_;
  std::optional<ConnA1> a1_;
  VcPtr vc_;
};

}  // namespace

RpcProxy::RpcProxy(ProxyOptions options) : impl_(std::make_shared<Impl>()) { impl_->options = std::move(options); }

RpcProxy::~RpcProxy() {
  std::lock_guard lock(impl_->m);
  for (auto& [key, vc] : impl_->connections) {
    std::lock_guard vlock(vc->m);
    vc->close("the server is stopping");
  }
}

std::optional<uint16_t> RpcProxy::backend_port_for(uint16_t requested) const {
  if (requested == impl_->options.backend_port) return requested;
  for (uint16_t p : kWellKnownPorts)
    if (requested == p) return impl_->options.backend_port;
  return std::nullopt;
}

namespace {

// The answer to a request this proxy will not serve at all.
class Refusal final : public http::Exchange {
 public:
  explicit Refusal(http::Response r) : response_(std::move(r)) {}
  std::optional<http::Response> on_body(ByteView) override { return std::move(response_); }
  http::Response on_complete() override { return std::move(response_); }

 private:
  http::Response response_;
};

}  // namespace

void RpcProxy::attach(http::HttpServer& server) {
  std::shared_ptr<Impl> impl = impl_;
  server.add_route(
      "/rpc/rpcproxy.dll",
      [this, impl](const http::Request& req) -> std::unique_ptr<http::Exchange> {
        std::optional<uint16_t> port = requested_port(req.query);
        if (!port)
          return std::make_unique<Refusal>(refuse(400, "the RPC proxy needs ?HOST:PORT, not \"" + req.query + "\""));
        std::optional<uint16_t> backend = backend_port_for(*port);
        if (!backend) {
          // MS-RPCH 3.2.3.5.? a server the proxy may not reach: an RPC error, 0x5 RPC_S_ACCESS_DENIED.
          http::Response r = refuse(503, "the RPC proxy does not forward to port " + std::to_string(*port) +
                                             " (it serves " + std::to_string(impl->options.backend_port) +
                                             ", 6001, 6002 and 6004)");
          r.headers.emplace_back("X-RPC-Error", "5");
          return std::make_unique<Refusal>(std::move(r));
        }
        if (req.method == "RPC_IN_DATA") return std::make_unique<InChannel>(impl, req.user);
        if (req.method == "RPC_OUT_DATA") return std::make_unique<OutChannel>(impl, req.user, *backend);
        http::Response r = refuse(405, "the RPC proxy takes RPC_IN_DATA and RPC_OUT_DATA, not " + req.method);
        r.headers.emplace_back("Allow", "RPC_IN_DATA, RPC_OUT_DATA");
        return std::make_unique<Refusal>(std::move(r));
      },
      true);
}

}  // namespace exmapi::server::rpch
