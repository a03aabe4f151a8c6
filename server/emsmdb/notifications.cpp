#include "emsmdb/notifications.hpp"

#include <algorithm>

namespace exmapi::server::emsmdb {

namespace nt = rop::notification_type;
namespace nf = rop::notification_flags;

namespace {
// A session that never collects its notifications must not grow without bound: past this many the
// oldest are dropped.
constexpr size_t kMaxPending = 4096;
}  // namespace

rop::NotificationData StoreEvent::data() const {
  rop::NotificationData d;
  d.notification_flags = type;
  if (on_message) d.notification_flags |= nf::Message;
  d.folder_id = folder_id;
  d.message_id = message_id;
  d.parent_folder_id = parent_folder_id;
  d.old_folder_id = old_folder_id;
  d.old_message_id = old_message_id;
  d.old_parent_folder_id = old_parent_folder_id;
  if (tags)
    d.tags = std::vector<rop::PropTag>(tags->begin(), tags->end());
  else
    d.tags.reset();
  // T and U are defined for ObjectModified only (MS-OXCNOTIF 2.2.1.4.1.2).
  if (type == nt::ObjectModified && !on_message) {
    if (total_count) {
      d.notification_flags |= nf::TotalMessageCount;
      d.total_message_count = *total_count;
    }
    if (unread_count) {
      d.notification_flags |= nf::UnreadMessageCount;
      d.unread_message_count = *unread_count;
    }
  }
  if (type == nt::NewMail) {
    d.message_flags = message_flags;
    d.unicode_flag = 1;
    d.message_class = message_class;
  }
  return d;
}

bool Subscription::matches(const StoreEvent& e) const {
  if (e.mailbox != mailbox || !(types & e.type)) return false;
  if (whole_store) return true;
  if (message_id != 0)
    return e.on_message && ((e.folder_id == folder_id && e.message_id == message_id) ||
                            (e.old_folder_id == folder_id && e.old_message_id == message_id));
  // A folder's subscription sees its messages' events and its own, and a subfolder created,
  // deleted, moved or copied under it.
  if (e.folder_id == folder_id || e.old_folder_id == folder_id) return true;
  return !e.on_message && (e.parent_folder_id == folder_id || e.old_parent_folder_id == folder_id);
}

NotificationQueue::~NotificationQueue() {
  Waiter w;
  {
    std::lock_guard lock(mutex_);
    w = std::move(waiter_);
  }
  if (w) w(false);
}

void NotificationQueue::subscribe(uint32_t handle, Subscription s) {
  std::lock_guard lock(mutex_);
  subscriptions_[handle] = std::move(s);
}

void NotificationQueue::unsubscribe(uint32_t handle) {
  std::lock_guard lock(mutex_);
  subscriptions_.erase(handle);
  std::erase_if(pending_, [&](const auto& n) { return n.notification_handle == handle; });
}

bool NotificationQueue::has_pending() const {
  std::lock_guard lock(mutex_);
  return !pending_.empty();
}

size_t NotificationQueue::pending_count() const {
  std::lock_guard lock(mutex_);
  return pending_.size();
}

std::optional<rop::RopNotify::Response> NotificationQueue::pop() {
  std::lock_guard lock(mutex_);
  if (pending_.empty()) return std::nullopt;
  auto n = std::move(pending_.front());
  pending_.pop_front();
  return n;
}

void NotificationQueue::push_front(rop::RopNotify::Response n) {
  std::lock_guard lock(mutex_);
  pending_.push_front(std::move(n));
}

uint64_t NotificationQueue::wait(Waiter w) {
  Waiter previous;
  uint64_t ticket = 0;
  bool ready = false;
  {
    std::lock_guard lock(mutex_);
    previous = std::move(waiter_);
    waiter_ = nullptr;
    waiter_ticket_ = 0;
    ticket = next_ticket_++;
    ready = !pending_.empty();
    if (!ready) {
      waiter_ = std::move(w);
      waiter_ticket_ = ticket;
    }
  }
  if (previous) previous(false);
  if (ready) w(true);
  return ticket;
}

void NotificationQueue::cancel_wait(uint64_t ticket) {
  Waiter w;
  {
    std::lock_guard lock(mutex_);
    if (!waiter_ || (ticket != 0 && ticket != waiter_ticket_)) return;
    w = std::move(waiter_);
    waiter_ = nullptr;
    waiter_ticket_ = 0;
  }
  w(false);
}

void NotificationQueue::abandon_wait(uint64_t ticket) {
  std::lock_guard lock(mutex_);
  if (ticket == waiter_ticket_) {
    waiter_ = nullptr;
    waiter_ticket_ = 0;
  }
}

bool NotificationQueue::waiting() const {
  std::lock_guard lock(mutex_);
  return static_cast<bool>(waiter_);
}

NotificationQueue::Waiter NotificationQueue::deliver(const StoreEvent& e) {
  std::lock_guard lock(mutex_);
  bool queued = false;
  for (const auto& [handle, s] : subscriptions_) {
    if (!s.matches(e)) continue;
    rop::RopNotify::Response n;
    n.notification_handle = handle;
    n.logon_id = s.logon_id;
    n.notification_data = e.data();
    pending_.push_back(std::move(n));
    queued = true;
  }
  while (pending_.size() > kMaxPending) pending_.pop_front();
  if (!queued || !waiter_) return nullptr;
  Waiter w = std::move(waiter_);
  waiter_ = nullptr;
  waiter_ticket_ = 0;
  return w;
}

std::shared_ptr<NotificationQueue> NotificationHub::open_queue() {
  auto q = std::make_shared<NotificationQueue>();
  std::lock_guard lock(mutex_);
  std::erase_if(queues_, [](const auto& w) { return w.expired(); });
  queues_.push_back(q);
  return q;
}

void NotificationHub::publish(const StoreEvent& e) {
  std::vector<std::shared_ptr<NotificationQueue>> live;
  {
    std::lock_guard lock(mutex_);
    std::erase_if(queues_, [](const auto& w) { return w.expired(); });
    for (const auto& w : queues_)
      if (auto q = w.lock()) live.push_back(std::move(q));
  }
  std::vector<NotificationQueue::Waiter> woken;
  for (const auto& q : live)
    if (auto w = q->deliver(e)) woken.push_back(std::move(w));
  for (auto& w : woken) w(true);
}

}  // namespace exmapi::server::emsmdb
