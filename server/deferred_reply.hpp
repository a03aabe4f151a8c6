// A call whose answer comes later (EcDoAsyncWaitEx, MAPI over HTTP's NotificationWait): the
// transport hands one to the service, which answers once, now or from a later event. Kept apart
// from any transport so that services depend only on this.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "base/bytes.hpp"

namespace exmapi::server {

class DeferredReply {
 public:
  virtual ~DeferredReply() = default;

  // Sends the response stub. Only the first reply() or fault() counts; after the client has gone
  // the answer is dropped. Called on the transport's own thread (the RPC host's loop).
  virtual void reply(Bytes stub) = 0;
  virtual void fault(uint32_t code) = 0;
  virtual bool answered() const = 0;

  // Runs `fn` after `delay` unless the call has been answered by then (one timer per call).
  virtual void set_timeout(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
  // Runs `fn` if the client goes away before the call is answered: the service lets go of the call.
  virtual void on_abandon(std::function<void()> fn) = 0;
};

}  // namespace exmapi::server
