// The notification hub of one mailbox store (MS-OXCNOTIF 3.1): every session's subscriptions
// (RopRegisterNotification), the store events any session publishes, and per session the queue of
// RopNotify responses waiting for the next ROP output buffer. It knows nothing of the transport: an
// EcDoAsyncWaitEx (RPC) or a NotificationWait (MAPI over HTTP) waits on a queue through
// NotificationQueue::wait().
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "rop/rops_notification.hpp"

namespace exmapi::server::emsmdb {

// A change in a mailbox, with the ids in their wire form (FID/MID). The shape follows
// NotificationData (MS-OXCNOTIF 2.2.1.4.1.2): which fields matter depends on `type` and `on_message`.
struct StoreEvent {
  std::string mailbox;  // the account whose store changed
  uint16_t type = 0;    // one notification_type value
  bool on_message = false;
  uint64_t folder_id = 0, message_id = 0, parent_folder_id = 0;
  uint64_t old_folder_id = 0, old_message_id = 0, old_parent_folder_id = 0;
  std::optional<std::vector<uint32_t>> tags;           // ObjectCreated, ObjectModified
  std::optional<uint32_t> total_count, unread_count;   // a folder's ObjectModified
  uint32_t message_flags = 0;                          // NewMail
  std::string message_class;                           // NewMail

  // The NotificationData a subscriber receives.
  rop::NotificationData data() const;
};

// What one RopRegisterNotification asked for (MS-OXCROPS 2.2.14.1).
struct Subscription {
  std::string mailbox;
  uint8_t logon_id = 0;
  uint16_t types = 0;  // NotificationTypes
  bool whole_store = true;
  uint64_t folder_id = 0, message_id = 0;  // when not the whole store; message_id 0: the folder

  bool matches(const StoreEvent& e) const;
};

class NotificationHub;

// One session's subscriptions and pending notifications. Thread-safe; the hub holds it weakly.
class NotificationQueue {
 public:
  // Called once when the wait ends: `pending` true when notifications are queued, false when the
  // wait was cancelled (another wait replaced it, the session ended, the caller gave up).
  using Waiter = std::function<void(bool pending)>;

  ~NotificationQueue();

  // Subscribes under the server object handle `handle`, which RopNotify responses carry.
  void subscribe(uint32_t handle, Subscription s);
  // Ends a subscription and drops the notifications it queued.
  void unsubscribe(uint32_t handle);

  bool has_pending() const;
  size_t pending_count() const;
  // Removes and returns the oldest pending notification (nullopt when none).
  std::optional<rop::RopNotify::Response> pop();
  // Puts a notification back at the front (it did not fit in an output buffer).
  void push_front(rop::RopNotify::Response n);

  // Waits for notifications: `w` runs at once (inside this call) when some are already queued;
  // otherwise when the next one arrives, or with false when cancel_wait() is called. A new wait
  // cancels the previous one. Returns a ticket for cancel_wait().
  uint64_t wait(Waiter w);
  // Ends wait `ticket` (0: whichever is current) with false, if it is still waiting.
  void cancel_wait(uint64_t ticket = 0);
  // Forgets wait `ticket` without calling it (its caller has gone).
  void abandon_wait(uint64_t ticket);
  bool waiting() const;

 private:
  friend class NotificationHub;
  // Queues `e` for every matching subscription; returns the waiter to run, if one was woken.
  Waiter deliver(const StoreEvent& e);

  mutable std::mutex mutex_;
  std::map<uint32_t, Subscription> subscriptions_;
  std::deque<rop::RopNotify::Response> pending_;
  Waiter waiter_;
  uint64_t waiter_ticket_ = 0, next_ticket_ = 1;
};

class NotificationHub {
 public:
  // A queue for a new session, registered with the hub for as long as the caller keeps it.
  std::shared_ptr<NotificationQueue> open_queue();
  // Queues `e` in every session whose subscriptions match it and wakes their waiters (after the
  // hub's own locks are released, so a waiter may call back into the hub or its queue).
  void publish(const StoreEvent& e);

 private:
  std::mutex mutex_;
  std::vector<std::weak_ptr<NotificationQueue>> queues_;
};

}  // namespace exmapi::server::emsmdb
