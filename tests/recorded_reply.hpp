// A deferred reply as a transport would hold it, with the timer run by hand: tests of services
// that answer later (EcDoAsyncWaitEx, NotificationWait) hold one in place of the RPC host's.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "server/deferred_reply.hpp"

namespace exmapi::test {

class RecordedReply : public exmapi::server::DeferredReply {
 public:
  void reply(Bytes stub) override {
    if (!stub_) stub_ = std::move(stub);
  }
  void fault(uint32_t code) override {
    if (!stub_) fault_ = code, stub_ = Bytes{};
  }
  bool answered() const override { return stub_.has_value(); }
  void set_timeout(std::chrono::milliseconds delay, std::function<void()> fn) override {
    timeout = delay;
    on_timeout = std::move(fn);
  }
  void on_abandon(std::function<void()> fn) override { abandoned = std::move(fn); }

  const std::optional<Bytes>& stub() const { return stub_; }
  std::chrono::milliseconds timeout{0};
  std::function<void()> on_timeout, abandoned;

 private:
  std::optional<Bytes> stub_;
  uint32_t fault_ = 0;
};

}  // namespace exmapi::test
