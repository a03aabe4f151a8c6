#include "emsmdb/rop_processor.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <functional>
#include <optional>
#include <set>
#include <variant>
#include <vector>

#include "base/error.hpp"
#include "base/text.hpp"
#include "emsmdb/notifications.hpp"
#include "rop/entry_id.hpp"
#include "rop/rop_buffer.hpp"
#include "store/mailbox_seed.hpp"
#include "store/mailbox_tags.hpp"
#include "store/sample_org.hpp"

namespace exmapi::server::emsmdb {

using namespace exmapi::rop;  // NOLINT: the ROP structs are the vocabulary of this file
using rop::PropertyValue;
namespace tag = mailbox_tag;

namespace {

// ---- handle-index probe ------------------------------------------------------------------------------
// Walks a ROP's describe() to read the request's handle indexes by field name, or to fill a failure
// response: its first *HandleIndex byte from the request field of the same name and its
// ReturnValue. Nothing else is visited, so every other field keeps its default and the encoder
// writes exactly the failure shape the description gives for that ReturnValue.
struct HandleProbe {
  static constexpr bool kDecoding = false;
  std::map<std::string, uint8_t, std::less<>> fields;  // request mode: the u8 fields seen
  const std::map<std::string, uint8_t, std::less<>>* request = nullptr;  // response mode
  uint32_t code = 0;
  bool handle_done = false;

  void u8(std::string_view name, uint8_t& v) {
    if (!request) {
      fields.emplace(std::string(name), v);
    } else if (!handle_done && name.ends_with("HandleIndex")) {
      auto it = request->find(name);
      if (it == request->end()) it = request->find("InputHandleIndex");
      if (it != request->end()) v = it->second;
      handle_done = true;
    }
  }
  void return_value(std::string_view, uint32_t& v) {
    if (request) v = code;
  }
  void u16(std::string_view, uint16_t&) {}
  void u32(std::string_view, uint32_t&) {}
  void u64(std::string_view, uint64_t&) {}
  void i32(std::string_view, int32_t&) {}
  void prop_tag(std::string_view, PropTag&) {}
  void guid(std::string_view, Guid&) {}
  template <size_t N>
  void fixed_bytes(std::string_view, std::array<uint8_t, N>&) {}
  void utf16z(std::string_view, std::string&) {}
  void str8z(std::string_view, std::string&) {}
  void text(std::string_view, std::string&, bool) {}
  void object_id(std::string_view, uint64_t&) {}
  void choice8(std::string_view, uint8_t&, std::initializer_list<uint8_t>) {}
  void str8_counted(std::string_view, std::string&, size_t) {}
  void utf16_counted(std::string_view, std::string&, size_t) {}
  void bytes(std::string_view, Bytes&, size_t) {}
  void rest(std::string_view, Bytes&) {}
  size_t count8(std::string_view, size_t n) { return n; }
  size_t count16(std::string_view, size_t n) { return n; }
  size_t count32(std::string_view, size_t n) { return n; }
  template <class T, class Fn>
  void list(std::string_view, std::vector<T>&, size_t, size_t, Fn&&) {}
  template <class T>
  void object(std::string_view, T&) {}
  template <class Fn>
  void sized16(std::string_view, Fn&&) {}
  template <class T, class Codec>
  void value(std::string_view, T&, const Codec&) {}
  template <class T, class Member>
  void from_context(std::string_view, T&, Member, std::string_view) {}
};

std::map<std::string, uint8_t, std::less<>> request_fields(const RopRequest& request) {
  HandleProbe probe;
  visit([&](const auto& r) { const_cast<std::decay_t<decltype(r)>&>(r).describe(probe); }, request);
  return probe.fields;
}

// The response `request` gets when it fails with `code`, in the ROP's own failure shape. The
// registry's sampler is only used to pick the response type for the RopId; its values are discarded.
RopResponse failure_response(const RopRequest& request, uint32_t code) {
  auto fields = request_fields(request);
  RopResponse shape = sample_response(response_rop_id(rop_id(request)), 0, code, sample_context(0));
  return visit(
      [&](auto& sampled) -> RopResponse {
        using T = std::decay_t<decltype(sampled)>;
        T fresh{};
        HandleProbe probe;
        probe.request = &fields;
        probe.code = code;
        fresh.describe(probe);
        return RopResponse(std::move(fresh));
      },
      shape);
}

// ---- server objects ----------------------------------------------------------------------------------
struct LogonObject {
  uint8_t logon_id = 0;
  std::string account;  // the mailbox
  bool owner = false;
};
struct FolderObject {
  std::string account;
  uint64_t folder = 0;  // GlobalCounter
};
struct MessageObject {
  std::string account;
  uint64_t folder = 0;
  uint64_t message = 0;  // 0 until a created message is saved
  bool associated = false;
  bool writable = false;
  PropertyMap pending;           // set but not saved (MS-OXCMSG 3.2.5.3: saved by RopSaveChangesMessage)
  std::set<uint32_t> removed;    // deleted but not saved
};
struct AttachmentObject {
  std::string account;
  uint64_t message = 0;
  uint32_t number = 0;
};
enum class TableKind { Hierarchy, Contents, Attachments, Permissions };
struct TableObject {
  TableKind kind = TableKind::Contents;
  std::string account;
  uint64_t container = 0;  // folder or message counter
  uint8_t flags = 0;
  std::vector<PropTag> columns;
  SortOrderSet sort;
  std::optional<Restriction> restriction;
  size_t position = 0;
  std::map<uint32_t, uint64_t> bookmarks;  // bookmark -> row key
  uint32_t next_bookmark = 1;
};
struct StreamObject {
  uint32_t parent = 0;  // server handle of the folder, message or attachment
  PropTag property = 0;
  Bytes data;
  size_t position = 0;
  bool writable = false;
  bool dirty = false;
};
// A RopRegisterNotification subscription. Copies of the object share the token; the last one gone
// (RopRelease, the session's end, an undone ROP) ends the subscription.
class SubscriptionToken {
 public:
  SubscriptionToken(std::weak_ptr<NotificationQueue> queue, uint32_t handle) : queue_(std::move(queue)), handle_(handle) {}
  ~SubscriptionToken() {
    if (auto q = queue_.lock()) q->unsubscribe(handle_);
  }
  SubscriptionToken(const SubscriptionToken&) = delete;
  SubscriptionToken& operator=(const SubscriptionToken&) = delete;

 private:
  std::weak_ptr<NotificationQueue> queue_;
  uint32_t handle_;
};
struct SubscriptionObject {
  std::shared_ptr<SubscriptionToken> token;
};
using ServerObject =
    std::variant<LogonObject, FolderObject, MessageObject, AttachmentObject, TableObject, StreamObject, SubscriptionObject>;

constexpr uint32_t kNoHandle = 0xFFFFFFFF;

// Folder rights (MS-OXCPERM 2.2.7).
namespace rights {
constexpr uint32_t ReadAny = 0x1, Create = 0x2, EditAny = 0x20, DeleteAny = 0x40, CreateSubfolder = 0x80,
                   Owner = 0x100, Visible = 0x400;
constexpr uint32_t All = 0x7FB;
}  // namespace rights

// Table flags (MS-OXCROPS 2.2.4.13/14, 2.2.10.2).
constexpr uint8_t kTableAssociated = 0x02, kTableDepth = 0x04, kTableIncludeFreeBusy = 0x02;

// A cell of a row for a column: the stored or computed value, or the error to report.
struct Cell {
  bool found = false;
  PropertyValue value;
  uint32_t error = ec::NotFound;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The value of `stored` as the column type `type` asks, when the two are compatible.
std::optional<PropertyValue> as_type(const PropertyValue& stored, PropType type) {
  if (type == ptyp::Unspecified || type == stored.type()) return stored;
  if (type == ptyp::String8 && stored.type() == ptyp::String) return PropertyValue::string8(stored.as_string());
  if (type == ptyp::String && stored.type() == ptyp::String8) return PropertyValue::string(stored.as_string());
  return std::nullopt;
}

size_t value_size(const PropertyValue& v) {
  ByteWriter w;
  encode_property_value(w, v, CountWidth::Narrow);
  return w.size();
}

// Orders two values of one property for sorting and relational restrictions.
int compare_values(const PropertyValue& a, const PropertyValue& b) {
  if (a.type() != b.type()) return a.type() < b.type() ? -1 : 1;
  switch (a.type()) {
    case ptyp::String:
    case ptyp::String8: {
      std::string x = lower(a.as_string()), y = lower(b.as_string());
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case ptyp::Binary: {
      const Bytes &x = a.as_binary(), &y = b.as_binary();
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case ptyp::Integer16: return a.as_int16() < b.as_int16() ? -1 : a.as_int16() > b.as_int16() ? 1 : 0;
    case ptyp::Integer32: return a.as_int32() < b.as_int32() ? -1 : a.as_int32() > b.as_int32() ? 1 : 0;
    case ptyp::Integer64:
    case ptyp::Currency: return a.as_int64() < b.as_int64() ? -1 : a.as_int64() > b.as_int64() ? 1 : 0;
    case ptyp::Floating32:
    case ptyp::Floating64:
    case ptyp::FloatingTime: return a.as_double() < b.as_double() ? -1 : a.as_double() > b.as_double() ? 1 : 0;
    default:
      if (a.is_multiple() || a.type() == ptyp::Guid || a.type() == ptyp::Null) return a == b ? 0 : 1;
      return a.bits() < b.bits() ? -1 : a.bits() > b.bits() ? 1 : 0;
  }
}

bool relop_holds(uint8_t relop, int c) {
  switch (relop) {
    case relop::LessThan: return c < 0;
    case relop::LessThanOrEqual: return c <= 0;
    case relop::GreaterThan: return c > 0;
    case relop::GreaterThanOrEqual: return c >= 0;
    case relop::Equal: return c == 0;
    case relop::NotEqual: return c != 0;
    default: return false;
  }
}

// A table row: its properties (stored and computed) and a key stable across re-reads (bookmarks).
struct Row {
  uint64_t key = 0;
  PropertyMap properties;
};

std::optional<PropertyValue> row_value(const Row& row, PropTag t) {
  auto it = row.properties.lower_bound(t & 0xFFFF0000u);
  for (; it != row.properties.end() && (it->first >> 16) == (t >> 16); ++it) {
    PropType want = static_cast<PropType>(t & 0xFFFF);
    if (auto v = as_type(it->second, want)) return v;
  }
  return std::nullopt;
}

bool matches(const Restriction& r, const Row& row, unsigned depth = 0) {
  if (depth > 64) return false;
  return std::visit(
      [&](const auto& n) -> bool {
        using N = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<N, AndRestriction>) {
          return std::all_of(n.restrictions.begin(), n.restrictions.end(),
                             [&](const Restriction& s) { return matches(s, row, depth + 1); });
        } else if constexpr (std::is_same_v<N, OrRestriction>) {
          return std::any_of(n.restrictions.begin(), n.restrictions.end(),
                             [&](const Restriction& s) { return matches(s, row, depth + 1); });
        } else if constexpr (std::is_same_v<N, NotRestriction>) {
          return !matches(*n.restriction, row, depth + 1);
        } else if constexpr (std::is_same_v<N, ContentRestriction>) {
          auto v = row_value(row, n.tag);
          if (!v) return false;
          const PropertyValue& want = n.value.value;
          bool text = v->type() == ptyp::String || v->type() == ptyp::String8;
          if (text != (want.type() == ptyp::String || want.type() == ptyp::String8)) return false;
          if (!text && v->type() != ptyp::Binary) return false;
          std::string hay = text ? v->as_string() : std::string(v->as_binary().begin(), v->as_binary().end());
          std::string needle =
              text ? want.as_string() : std::string(want.as_binary().begin(), want.as_binary().end());
          if (n.fuzzy_level_high & (fuzzy::IgnoreCase | fuzzy::Loose)) hay = lower(hay), needle = lower(needle);
          switch (n.fuzzy_level_low & 0x3) {
            case fuzzy::Substring: return hay.find(needle) != std::string::npos;
            case fuzzy::Prefix: return hay.compare(0, needle.size(), needle) == 0;
            default: return hay == needle;
          }
        } else if constexpr (std::is_same_v<N, PropertyRestriction>) {
          auto v = row_value(row, n.tag);
          if (!v) return false;
          auto want = as_type(n.value.value, v->type());
          return want && relop_holds(n.relop, compare_values(*v, *want));
        } else if constexpr (std::is_same_v<N, ComparePropertiesRestriction>) {
          auto a = row_value(row, n.tag1), b = row_value(row, n.tag2);
          return a && b && relop_holds(n.relop, compare_values(*a, *b));
        } else if constexpr (std::is_same_v<N, BitMaskRestriction>) {
          auto v = row_value(row, n.tag);
          if (!v || (v->type() != ptyp::Integer32 && v->type() != ptyp::Integer16)) return false;
          bool zero = (v->bits() & n.mask) == 0;
          return n.bitmap_relop == bitmap_relop::EqualToZero ? zero : !zero;
        } else if constexpr (std::is_same_v<N, SizeRestriction>) {
          auto v = row_value(row, n.tag);
          if (!v) return false;
          int64_t size = static_cast<int64_t>(value_size(*v)), want = n.size;
          return relop_holds(n.relop, size < want ? -1 : size > want ? 1 : 0);
        } else if constexpr (std::is_same_v<N, ExistRestriction>) {
          return row_value(row, n.tag).has_value();
        } else if constexpr (std::is_same_v<N, CommentRestriction>) {
          return n.restriction.empty() || matches(n.restriction.front(), row, depth + 1);
        } else if constexpr (std::is_same_v<N, CountRestriction>) {
          return matches(*n.restriction, row, depth + 1);
        } else {
          return false;  // SubObject: recipients and attachments are not searched
        }
      },
      r.node);
}

LogonTime logon_time_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  LogonTime lt;
  lt.seconds = static_cast<uint8_t>(tm.tm_sec);
  lt.minutes = static_cast<uint8_t>(tm.tm_min);
  lt.hour = static_cast<uint8_t>(tm.tm_hour);
  lt.day_of_week = static_cast<uint8_t>(tm.tm_wday);
  lt.day = static_cast<uint8_t>(tm.tm_mday);
  lt.month = static_cast<uint8_t>(tm.tm_mon + 1);
  lt.year = static_cast<uint16_t>(tm.tm_year + 1900);
  return lt;
}

uint64_t now_filetime() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return unix_to_filetime(std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

Bytes key_bytes(uint64_t key) {
  ByteWriter w;
  w.u64(key);
  return w.take();
}

// PS_MAPI: named properties whose LID is the property ID itself (MS-OXCPRPT 3.2.5.9).
const Guid kPsMapi = *Guid::parse("{00020328-0000-0000-C000-000000000046}");

// The properties a client may not set: the store computes them.
bool is_computed(PropTag t) {
  switch (t >> 16) {
    case tag::FolderId >> 16:
    case tag::ParentFolderId >> 16:
    case tag::Mid >> 16:
    case tag::ContentCount >> 16:
    case tag::ContentUnreadCount >> 16:
    case tag::Subfolders >> 16:
    case tag::FolderChildCount >> 16:
    case tag::EntryId >> 16:
    case tag::ParentEntryId >> 16:
    case tag::InstId >> 16:
    case tag::InstanceNum >> 16:
    case tag::ChangeNumber >> 16:
    case tag::ObjectType >> 16:
    case tag::AccessLevel >> 16:
    case tag::Access >> 16:
    case tag::InstanceKey >> 16:
    case tag::RecordKey >> 16: return true;
    default: return false;
  }
}

}  // namespace

// ---- the session state -----------------------------------------------------------------------------
struct RopProcessor::State {
  std::shared_ptr<MailboxStore> store;
  std::string user;  // the session's account
  std::map<uint32_t, ServerObject> objects;
  uint32_t next_handle = 1;
  LogonFlagsState logon_flags;
  std::shared_ptr<NotificationHub> hub;
  std::shared_ptr<NotificationQueue> queue;
  uint16_t session_index = 0;
  // The events of the ROP running now, published once its transaction commits.
  std::vector<StoreEvent> staged;

  // A failed ROP: its code ends up in the ROP's failure response.
  struct Failure {
    uint32_t code;
  };

  // ---- handles
  uint32_t& slot(std::vector<uint32_t>& handles, uint8_t index) {
    if (index >= handles.size()) throw Failure{ec::NullObject};
    return handles[index];
  }
  ServerObject& object_at(std::vector<uint32_t>& handles, uint8_t index) {
    uint32_t h = slot(handles, index);
    auto it = objects.find(h);
    if (h == kNoHandle || it == objects.end()) throw Failure{ec::NullObject};
    return it->second;
  }
  template <class T>
  T& object_as(std::vector<uint32_t>& handles, uint8_t index) {
    T* p = std::get_if<T>(&object_at(handles, index));
    if (!p) throw Failure{ec::InvalidObject};
    return *p;
  }
  uint32_t add_object(std::vector<uint32_t>& handles, uint8_t out_index, ServerObject object) {
    uint32_t& s = slot(handles, out_index);
    uint32_t h = next_handle++;
    if (next_handle == kNoHandle) next_handle = 1;
    objects.emplace(h, std::move(object));
    s = h;
    return h;
  }

  // ---- rights
  uint32_t folder_rights(const std::string& account, uint64_t folder) {
    if (account == user) return rights::All;
    uint32_t fallback = 0;
    for (const auto& p : store->permissions(account, folder)) {
      if (p.member_account == user) return p.rights;
      if (p.member_id == 0) fallback = p.rights;
    }
    return fallback;
  }
  void need(const std::string& account, uint64_t folder, uint32_t wanted) {
    if ((folder_rights(account, folder) & wanted) != wanted) throw Failure{ec::AccessDenied};
  }

  MailboxInfo mailbox_of(const std::string& account) {
    auto info = store->mailbox(account);
    if (!info) throw Failure{ec::NotFound};
    return *info;
  }

  // ---- computed properties
  // A folder's normal messages and how many of them are unread (MSGFLAG_READ clear).
  std::pair<uint32_t, uint32_t> folder_counts(const std::string& account, uint64_t folder) {
    auto messages = store->folder_messages(account, folder, false);
    uint32_t unread = 0;
    for (uint64_t m : messages) {
      auto flags = store->property(account, ObjectKind::Message, m, 0, tag::MessageFlags);
      if (!flags || !(flags->as_int32() & 0x1)) ++unread;
    }
    return {static_cast<uint32_t>(messages.size()), unread};
  }

  // ---- notification events (MS-OXCNOTIF 3.1.4.1: what each change reports)
  static std::vector<uint32_t> tags_of(const PropertyMap& p) {
    std::vector<uint32_t> tags;
    for (const auto& kv : p) tags.push_back(kv.first);
    return tags;
  }
  void stage_message_event(const std::string& account, uint16_t type, uint64_t folder, uint64_t message,
                           std::optional<std::vector<uint32_t>> tags = std::nullopt) {
    StoreEvent e;
    e.mailbox = account;
    e.type = type;
    e.on_message = true;
    e.folder_id = object_id_from_counter(folder);
    e.message_id = object_id_from_counter(message);
    e.tags = std::move(tags);
    staged.push_back(std::move(e));
  }
  void stage_folder_event(const std::string& account, uint16_t type, uint64_t folder, uint64_t parent,
                          std::optional<std::vector<uint32_t>> tags = std::nullopt) {
    StoreEvent e;
    e.mailbox = account;
    e.type = type;
    e.folder_id = object_id_from_counter(folder);
    e.parent_folder_id = parent ? object_id_from_counter(parent) : 0;
    e.tags = std::move(tags);
    staged.push_back(std::move(e));
  }
  // A folder whose contents changed: ObjectModified with its new counts.
  void stage_counts_changed(const std::string& account, uint64_t folder) {
    if (!hub) return;
    auto [total, unread] = folder_counts(account, folder);
    StoreEvent e;
    e.mailbox = account;
    e.type = notification_type::ObjectModified;
    e.folder_id = object_id_from_counter(folder);
    e.tags = std::vector<uint32_t>{tag::ContentCount, tag::ContentUnreadCount};
    e.total_count = total;
    e.unread_count = unread;
    staged.push_back(std::move(e));
  }

  Bytes folder_entry_id(const MailboxInfo& info, uint64_t folder) {
    FolderEntryId id;
    id.provider_uid = info.mailbox_guid;
    id.folder = GlobalId{info.replica_guid, folder};
    return encode_entry_id(EntryId(id));
  }
  Bytes message_entry_id(const MailboxInfo& info, uint64_t folder, uint64_t message) {
    MessageEntryId id;
    id.provider_uid = info.mailbox_guid;
    id.folder = GlobalId{info.replica_guid, folder};
    id.message = GlobalId{info.replica_guid, message};
    return encode_entry_id(EntryId(id));
  }
  PropertyMap folder_properties(const std::string& account, uint64_t folder) {
    PropertyMap p = store->properties(account, ObjectKind::Folder, folder);
    MailboxInfo info = mailbox_of(account);
    uint64_t parent = store->folder_parent(account, folder).value_or(0);
    auto [total, unread] = folder_counts(account, folder);
    auto children = store->child_folders(account, folder);
    p[tag::FolderId] = PropertyValue::int64(static_cast<int64_t>(object_id_from_counter(folder)));
    p[tag::ParentFolderId] = PropertyValue::int64(parent ? static_cast<int64_t>(object_id_from_counter(parent)) : 0);
    p[tag::ContentCount] = PropertyValue::int32(static_cast<int32_t>(total));
    p[tag::ContentUnreadCount] = PropertyValue::int32(static_cast<int32_t>(unread));
    p[tag::Subfolders] = PropertyValue::boolean(!children.empty());
    p[tag::FolderChildCount] = PropertyValue::int32(static_cast<int32_t>(children.size()));
    p[tag::EntryId] = PropertyValue::binary(folder_entry_id(info, folder));
    p[tag::RecordKey] = p[tag::EntryId];
    if (parent) p[tag::ParentEntryId] = PropertyValue::binary(folder_entry_id(info, parent));
    p[tag::ObjectType] = PropertyValue::int32(3);  // MAPI_FOLDER
    uint32_t r = folder_rights(account, folder);
    p[tag::AccessLevel] = PropertyValue::int32(r & (rights::EditAny | rights::Create) ? 1 : 0);
    p[tag::Access] = PropertyValue::int32(static_cast<int32_t>(
        0x02 | (r & rights::EditAny ? 0x01 : 0) | (r & rights::DeleteAny ? 0x04 : 0) |
        (r & rights::CreateSubfolder ? 0x08 : 0) | (r & rights::Create ? 0x10 : 0)));
    return p;
  }
  PropertyMap message_properties(const std::string& account, uint64_t folder, uint64_t message) {
    PropertyMap p = message ? store->properties(account, ObjectKind::Message, message) : PropertyMap{};
    MailboxInfo info = mailbox_of(account);
    p[tag::FolderId] = PropertyValue::int64(static_cast<int64_t>(object_id_from_counter(folder)));
    p[tag::ParentEntryId] = PropertyValue::binary(folder_entry_id(info, folder));
    p[tag::ObjectType] = PropertyValue::int32(5);  // MAPI_MESSAGE
    if (message) {
      p[tag::Mid] = PropertyValue::int64(static_cast<int64_t>(object_id_from_counter(message)));
      p[tag::InstId] = p[tag::Mid];
      p[tag::InstanceNum] = PropertyValue::int32(0);
      p[tag::EntryId] = PropertyValue::binary(message_entry_id(info, folder, message));
      p[tag::RecordKey] = p[tag::EntryId];
    }
    return p;
  }
  PropertyMap attachment_properties(const std::string& account, uint64_t message, uint32_t number) {
    PropertyMap p = store->properties(account, ObjectKind::Attachment, message, number);
    p[tag::ObjectType] = PropertyValue::int32(7);  // MAPI_ATTACH
    return p;
  }
  // The properties of the object a handle names (a message shows its unsaved changes).
  PropertyMap object_properties(ServerObject& o) {
    if (auto* f = std::get_if<FolderObject>(&o)) return folder_properties(f->account, f->folder);
    if (auto* m = std::get_if<MessageObject>(&o)) {
      PropertyMap p = message_properties(m->account, m->folder, m->message);
      for (uint32_t t : m->removed) std::erase_if(p, [&](const auto& kv) { return (kv.first >> 16) == (t >> 16); });
      for (const auto& change : m->pending) {
        uint32_t id = change.first >> 16;
        std::erase_if(p, [&](const auto& kv) { return (kv.first >> 16) == id; });
        p[change.first] = change.second;
      }
      return p;
    }
    if (auto* a = std::get_if<AttachmentObject>(&o)) return attachment_properties(a->account, a->message, a->number);
    if (auto* l = std::get_if<LogonObject>(&o)) {
      PropertyMap p;
      auto u = std::find_if(sample::kUsers.begin(), sample::kUsers.end(),
                            [&](const auto& x) { return x.account == l->account; });
      if (u != sample::kUsers.end()) p[tag::DisplayName] = PropertyValue::string("Mailbox - " + std::string(u->display_name));
      p[tag::ObjectType] = PropertyValue::int32(1);  // MAPI_STORE
      return p;
    }
    throw Failure{ec::NotSupported};
  }

  // ---- tables
  std::vector<Row> table_rows(TableObject& t) {
    std::vector<Row> rows;
    if (t.kind == TableKind::Hierarchy) {
      std::function<void(uint64_t, int32_t)> walk = [&](uint64_t parent, int32_t depth) {
        for (uint64_t child : store->child_folders(t.account, parent)) {
          if (t.account != user && !(folder_rights(t.account, child) & rights::Visible)) continue;
          Row r{child, folder_properties(t.account, child)};
          r.properties[tag::Depth] = PropertyValue::int32(depth);
          r.properties[tag::InstanceKey] = PropertyValue::binary(key_bytes(child));
          rows.push_back(std::move(r));
          if (t.flags & kTableDepth) walk(child, depth + 1);
        }
      };
      walk(t.container, 0);
    } else if (t.kind == TableKind::Contents) {
      for (uint64_t m : store->folder_messages(t.account, t.container, t.flags & kTableAssociated)) {
        Row r{m, message_properties(t.account, t.container, m)};
        r.properties[tag::InstanceKey] = PropertyValue::binary(key_bytes(m));
        rows.push_back(std::move(r));
      }
    } else if (t.kind == TableKind::Attachments) {
      for (uint32_t n : store->attachments(t.account, t.container)) {
        Row r{n, attachment_properties(t.account, t.container, n)};
        r.properties[tag::InstanceKey] = PropertyValue::binary(key_bytes(n));
        rows.push_back(std::move(r));
      }
    } else {
      for (const auto& p : store->permissions(t.account, t.container)) {
        Row r{static_cast<uint64_t>(p.member_id), {}};
        r.properties[tag::MemberId] = PropertyValue::int64(p.member_id);
        r.properties[tag::MemberName] = PropertyValue::string(p.member_id == 0 ? "" : p.member_name);
        uint32_t shown = p.rights;
        // Without IncludeFreeBusy the free/busy bits are not reported (MS-OXCPERM 2.2.1.1).
        if (!(t.flags & kTableIncludeFreeBusy)) shown &= ~0x1800u;
        r.properties[tag::MemberRights] = PropertyValue::int32(static_cast<int32_t>(shown));
        if (!p.member_account.empty()) {
          AddressBookEntryId ab;
          ab.x500_dn = sample::user_dn(p.member_account);
          r.properties[tag::EntryId] = PropertyValue::binary(encode_entry_id(EntryId(ab)));
        } else {
          r.properties[tag::EntryId] = PropertyValue::binary({});
        }
        r.properties[tag::InstanceKey] = PropertyValue::binary(key_bytes(static_cast<uint64_t>(p.member_id)));
        rows.push_back(std::move(r));
      }
    }
    if (t.restriction)
      std::erase_if(rows, [&](const Row& r) { return !matches(*t.restriction, r); });
    if (!t.sort.sort_orders.empty()) {
      std::stable_sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
        for (const auto& order : t.sort.sort_orders) {
          auto x = row_value(a, order.tag), y = row_value(b, order.tag);
          int c = !x && !y ? 0 : !x ? -1 : !y ? 1 : compare_values(*x, *y);
          if (c) return order.order == sort_order::Descending ? c > 0 : c < 0;
        }
        return false;
      });
    }
    return rows;
  }

  PropertyRow make_row(const PropertyMap& properties, const std::vector<PropTag>& columns, size_t size_limit,
                       bool want_unicode) {
    Row holder{0, properties};
    PropertyRow row;
    for (PropTag column : columns) {
      PropertyCell cell;
      PropType type = static_cast<PropType>(column & 0xFFFF);
      auto v = row_value(holder, column);
      if (v && type == ptyp::Unspecified && !want_unicode && v->type() == ptyp::String)
        v = PropertyValue::string8(v->as_string());
      if (!v) {
        cell.flag = ValueFlag::Error;
        cell.value = PropertyValue::error_code(ec::NotFound);
        cell.declared_type = ptyp::ErrorCode;
        row.flagged = true;
      } else if (size_limit && value_size(*v) > size_limit) {
        cell.flag = ValueFlag::Error;
        cell.value = PropertyValue::error_code(ec::NotEnoughMemory);
        cell.declared_type = ptyp::ErrorCode;
        row.flagged = true;
      } else {
        cell.value = *v;
        cell.declared_type = type == ptyp::Unspecified ? v->type() : ptyp::Unspecified;
      }
      row.cells.push_back(std::move(cell));
    }
    return row;
  }

  // ---- the ROPs ------------------------------------------------------------------------------------
  using Handles = std::vector<uint32_t>;

  RopResponse logon(const RopLogon::Request& r, Handles& h) {
    std::string account = user;
    if (r.essdn) {
      // The DN form of sample::user_dn(); its last RDN names the account.
      std::string dn = lower(*r.essdn);
      size_t cn = dn.rfind("/cn=");
      if (cn == std::string::npos) throw Failure{ec::UnknownUser};
      account = dn.substr(cn + 4);
      if (lower(sample::user_dn(account)) != dn) throw Failure{ec::UnknownUser};
    }
    if (!(r.logon_flags & logon_flags::Private)) throw Failure{ec::LogonFailed};  // no public folder store here
    auto info = store->mailbox(account);
    if (!info) throw Failure{ec::UnknownUser};
    RopLogon::Response out;
    out.output_handle_index = r.output_handle_index;
    out.request_logon_flags = r.logon_flags;
    out.logon_flags = r.logon_flags;
    for (size_t i = 0; i < 13; ++i) {
      auto f = store->special_folder(account, kLogonFolderRoles[i]);
      out.folder_ids[i] = f ? object_id_from_counter(*f) : 0;
    }
    bool owner = account == user;
    out.response_flags = static_cast<uint8_t>(0x01 | (owner ? 0x02 | 0x04 : 0));  // Reserved, OwnerRight, SendAsRight
    out.mailbox_guid = info->mailbox_guid;
    out.replica_id = kLocalReplicaId;
    out.replica_guid = info->replica_guid;
    out.logon_time = logon_time_now();
    out.gwart_time = 0;
    out.store_state = 0;
    add_object(h, r.output_handle_index, LogonObject{r.logon_id, account, owner});
    return out;
  }

  std::string mailbox_account(ServerObject& o) {
    return std::visit(
        [](auto& x) -> std::string {
          if constexpr (requires { x.account; }) return x.account;
          else return {};
        },
        o);
  }

  RopResponse open_folder(const RopOpenFolder::Request& r, Handles& h) {
    std::string account = mailbox_account(object_at(h, r.input_handle_index));
    if (account.empty()) throw Failure{ec::InvalidObject};
    slot(h, r.output_handle_index);
    if (replica_of_object_id(r.folder_id) != kLocalReplicaId) throw Failure{ec::NotFound};
    uint64_t folder = counter_from_object_id(r.folder_id);
    if (!store->folder_exists(account, folder)) throw Failure{ec::NotFound};
    need(account, folder, rights::Visible);
    RopOpenFolder::Response out;
    out.output_handle_index = r.output_handle_index;
    add_object(h, r.output_handle_index, FolderObject{account, folder});
    return out;
  }

  template <class Response, class Request>
  RopResponse open_table(const Request& r, Handles& h, TableKind kind) {
    ServerObject& o = object_at(h, r.input_handle_index);
    slot(h, r.output_handle_index);
    TableObject t;
    t.kind = kind;
    t.flags = r.table_flags;
    if (kind == TableKind::Attachments) {
      auto* m = std::get_if<MessageObject>(&o);
      if (!m) throw Failure{ec::InvalidObject};
      t.account = m->account;
      t.container = m->message;
    } else {
      auto* f = std::get_if<FolderObject>(&o);
      if (!f) throw Failure{ec::InvalidObject};
      t.account = f->account;
      t.container = f->folder;
      if (kind == TableKind::Contents) need(f->account, f->folder, rights::ReadAny);
      if (kind == TableKind::Permissions && f->account != user) need(f->account, f->folder, rights::Owner);
    }
    size_t count = table_rows(t).size();
    add_object(h, r.output_handle_index, std::move(t));
    Response out;
    if constexpr (requires { out.row_count; }) {
      out.output_handle_index = r.output_handle_index;
      out.row_count = static_cast<uint32_t>(count);
    } else {
      out.handle_index = r.output_handle_index;
    }
    return out;
  }

  RopResponse set_columns(const RopSetColumns::Request& r, Handles& h) {
    auto& t = object_as<TableObject>(h, r.input_handle_index);
    if (r.property_tags.empty()) throw Failure{ec::InvalidParameter};
    t.columns = r.property_tags;
    RopSetColumns::Response out;
    out.input_handle_index = r.input_handle_index;
    return out;
  }
  RopResponse sort_table(const RopSortTable::Request& r, Handles& h) {
    auto& t = object_as<TableObject>(h, r.input_handle_index);
    if (t.kind != TableKind::Contents && t.kind != TableKind::Hierarchy) throw Failure{ec::NotSupported};
    if (!sort_order_set_problem(r.sort_order_set).empty()) throw Failure{ec::InvalidParameter};
    t.sort = r.sort_order_set;
    t.position = 0;  // MS-OXCTABL 3.2.5.2: the cursor goes back to the beginning
    RopSortTable::Response out;
    out.input_handle_index = r.input_handle_index;
    return out;
  }
  RopResponse restrict(const RopRestrict::Request& r, Handles& h) {
    auto& t = object_as<TableObject>(h, r.input_handle_index);
    t.restriction = r.restriction;
    t.position = 0;
    RopRestrict::Response out;
    out.input_handle_index = r.input_handle_index;
    return out;
  }

  uint8_t origin_of(const TableObject& t, size_t count) {
    if (t.position == 0) return 0x00;       // BOOKMARK_BEGINNING
    if (t.position >= count) return 0x02;   // BOOKMARK_END
    return 0x01;                            // BOOKMARK_CURRENT
  }

  RopResponse query_rows(const RopQueryRows::Request& r, Handles& h, size_t budget) {
    auto& t = object_as<TableObject>(h, r.input_handle_index);
    if (t.columns.empty()) throw Failure{ec::NullObject};  // MS-OXCTABL 3.2.5.1: RopSetColumns first
    auto rows = table_rows(t);
    t.position = std::min(t.position, rows.size());
    RopQueryRows::Response out;
    out.input_handle_index = r.input_handle_index;
    out.columns = std::make_shared<const std::vector<PropTag>>(t.columns);
    // Rows are added while they fit: the response must stay within the output buffer.
    size_t used = 1 + 1 + 4 + 1 + 2;
    size_t pos = t.position;
    for (uint16_t n = 0; n < r.row_count; ++n) {
      if (r.forward_read ? pos >= rows.size() : pos == 0) break;
      const Row& row = rows[r.forward_read ? pos : pos - 1];
      PropertyRow pr = make_row(row.properties, t.columns, 0, true);
      ByteWriter w;
      encode_property_row(w, pr, t.columns, CountWidth::Narrow);
      // At least one row: a response without room for it becomes RopBufferTooSmall in process().
      if (used + w.size() > budget && !out.rows.empty()) break;
      used += w.size();
      out.rows.push_back(std::move(pr));
      pos = r.forward_read ? pos + 1 : pos - 1;
    }
    if (!(r.query_rows_flags & 0x01)) t.position = pos;  // NoAdvance
    out.origin = origin_of(t, rows.size());
    return out;
  }
  RopResponse query_position(const RopQueryPosition::Request& r, Handles& h) {
    auto& t = object_as<TableObject>(h, r.input_handle_index);
    size_t count = table_rows(t).size();
    RopQueryPosition::Response out;
    out.input_handle_index = r.input_handle_index;
    out.numerator = static_cast<uint32_t>(std::min(t.position, count));
    out.denominator = static_cast<uint32_t>(count);
    return out;
  }
  void seek(TableObject& t, size_t start, int32_t count, uint8_t want_moved, uint8_t& less, int32_t& sought) {
    size_t n = table_rows(t).size();
    int64_t target = static_cast<int64_t>(std::min(start, n)) + count;
    int64_t clamped = std::clamp<int64_t>(target, 0, static_cast<int64_t>(n));
    less = clamped != target;
    sought = static_cast<int32_t>(clamped - static_cast<int64_t>(std::min(start, n)));
    if (!want_moved) sought = 0, less = 0;
    t.position = static_cast<size_t>(clamped);
  }
  RopResponse seek_row(const RopSeekRow::Request& r, Handles& h) {
    auto& t = object_as<TableObject>(h, r.input_handle_index);
    size_t n = table_rows(t).size();
    size_t start = r.origin == 0 ? 0 : r.origin == 1 ? t.position : r.origin == 2 ? n : SIZE_MAX;
    if (start == SIZE_MAX) throw Failure{ec::InvalidParameter};
    RopSeekRow::Response out;
    out.input_handle_index = r.input_handle_index;
    seek(t, start, r.row_count, r.want_row_moved_count, out.has_sought_less, out.rows_sought);
    return out;
  }
  RopResponse create_bookmark(const RopCreateBookmark::Request& r, Handles& h) {
    auto& t = object_as<TableObject>(h, r.input_handle_index);
    auto rows = table_rows(t);
    uint64_t key = t.position < rows.size() ? rows[t.position].key : UINT64_MAX;  // UINT64_MAX: the end
    uint32_t id = t.next_bookmark++;
    t.bookmarks[id] = key;
    RopCreateBookmark::Response out;
    out.input_handle_index = r.input_handle_index;
    ByteWriter w;
    w.u32(id);
    out.data = w.take();
    return out;
  }
  std::optional<size_t> bookmark_position(TableObject& t, const Bytes& bookmark, bool& gone) {
    if (bookmark.size() != 4) return std::nullopt;
    ByteReader rd(bookmark);
    auto it = t.bookmarks.find(rd.u32("Bookmark"));
    if (it == t.bookmarks.end()) return std::nullopt;
    auto rows = table_rows(t);
    gone = false;
    if (it->second == UINT64_MAX) return rows.size();
    for (size_t i = 0; i < rows.size(); ++i)
      if (rows[i].key == it->second) return i;
    gone = true;  // MS-OXCTABL 3.2.5.8: the row went away; continue from where it was
    return std::min(t.position, rows.size());
  }
  RopResponse seek_row_bookmark(const RopSeekRowBookmark::Request& r, Handles& h) {
    auto& t = object_as<TableObject>(h, r.input_handle_index);
    bool gone = false;
    auto start = bookmark_position(t, r.bookmark, gone);
    if (!start) throw Failure{ec::InvalidParameter};
    RopSeekRowBookmark::Response out;
    out.input_handle_index = r.input_handle_index;
    out.row_no_longer_visible = gone;
    seek(t, *start, r.row_count, r.want_row_moved_count, out.has_sought_less, out.rows_sought);
    return out;
  }
  RopResponse free_bookmark(const RopFreeBookmark::Request& r, Handles& h) {
    auto& t = object_as<TableObject>(h, r.input_handle_index);
    if (r.bookmark.size() != 4) throw Failure{ec::InvalidParameter};
    ByteReader rd(r.bookmark);
    if (!t.bookmarks.erase(rd.u32("Bookmark"))) throw Failure{ec::InvalidParameter};
    RopFreeBookmark::Response out;
    out.handle_index = r.input_handle_index;
    return out;
  }
  RopResponse find_row(const RopFindRow::Request& r, Handles& h) {
    auto& t = object_as<TableObject>(h, r.input_handle_index);
    if (t.columns.empty()) throw Failure{ec::NullObject};
    auto rows = table_rows(t);
    bool backward = r.find_row_flags & 0x01;
    bool gone = false;
    size_t start;
    switch (r.origin) {
      case 0x00: start = backward ? rows.size() : 0; break;
      case 0x01: start = std::min(t.position, rows.size()); break;
      case 0x02: start = backward ? rows.size() : rows.size(); break;
      case 0x03: {
        auto b = bookmark_position(t, r.bookmark, gone);
        if (!b) throw Failure{ec::InvalidParameter};
        start = *b;
        break;
      }
      default: throw Failure{ec::InvalidParameter};
    }
    std::optional<size_t> found;
    if (!backward) {
      for (size_t i = start; i < rows.size() && !found; ++i)
        if (!r.restriction || matches(*r.restriction, rows[i])) found = i;
    } else {
      for (size_t i = std::min(start + 1, rows.size()); i-- > 0 && !found;)
        if (!r.restriction || matches(*r.restriction, rows[i])) found = i;
    }
    if (!found) throw Failure{ec::NotFound};
    t.position = *found;
    RopFindRow::Response out;
    out.input_handle_index = r.input_handle_index;
    out.row_no_longer_visible = gone;
    out.has_row_data = 1;
    out.columns = std::make_shared<const std::vector<PropTag>>(t.columns);
    out.row_data = make_row(rows[*found].properties, t.columns, 0, true);
    return out;
  }
  RopResponse reset_table(const RopResetTable::Request& r, Handles& h) {
    auto& t = object_as<TableObject>(h, r.input_handle_index);
    t.columns.clear();
    t.sort = {};
    t.restriction.reset();
    t.position = 0;
    t.bookmarks.clear();
    RopResetTable::Response out;
    out.handle_index = r.input_handle_index;
    return out;
  }
  RopResponse get_status(const RopGetStatus::Request& r, Handles& h) {
    object_as<TableObject>(h, r.input_handle_index);
    RopGetStatus::Response out;
    out.input_handle_index = r.input_handle_index;
    return out;  // TBLSTAT_COMPLETE: tables here are never asynchronous
  }
  RopResponse query_columns_all(const RopQueryColumnsAll::Request& r, Handles& h) {
    auto& t = object_as<TableObject>(h, r.input_handle_index);
    std::set<PropTag> tags;
    for (const Row& row : table_rows(t))
      for (const auto& [k, v] : row.properties) tags.insert(k);
    RopQueryColumnsAll::Response out;
    out.input_handle_index = r.input_handle_index;
    out.property_tags.assign(tags.begin(), tags.end());
    return out;
  }

  // ---- properties
  size_t size_limit(uint16_t requested) { return requested ? requested : 0x7000; }

  RopResponse get_properties_specific(const RopGetPropertiesSpecific::Request& r, Handles& h) {
    ServerObject& o = object_at(h, r.input_handle_index);
    if (std::holds_alternative<TableObject>(o) || std::holds_alternative<StreamObject>(o))
      throw Failure{ec::NotSupported};
    PropertyMap p = object_properties(o);
    RopGetPropertiesSpecific::Response out;
    out.input_handle_index = r.input_handle_index;
    out.columns = std::make_shared<const std::vector<PropTag>>(r.property_tags);
    out.row_data = make_row(p, r.property_tags, size_limit(r.property_size_limit), r.want_unicode != 0);
    return out;
  }
  RopResponse get_properties_all(const RopGetPropertiesAll::Request& r, Handles& h) {
    ServerObject& o = object_at(h, r.input_handle_index);
    if (std::holds_alternative<TableObject>(o) || std::holds_alternative<StreamObject>(o))
      throw Failure{ec::NotSupported};
    RopGetPropertiesAll::Response out;
    out.input_handle_index = r.input_handle_index;
    size_t limit = size_limit(r.property_size_limit);
    for (auto& [t, v] : object_properties(o)) {
      PropertyValue value = v;
      if (!r.want_unicode && value.type() == ptyp::String) value = PropertyValue::string8(value.as_string());
      PropTag wire_tag = (t & 0xFFFF0000u) | value.type();
      if (value_size(value) > limit)  // too large for the buffer: the client opens a stream (MS-OXCPRPT 3.2.5.2)
        out.property_values.push_back({(t & 0xFFFF0000u) | ptyp::ErrorCode, PropertyValue::error_code(ec::NotEnoughMemory)});
      else
        out.property_values.push_back({wire_tag, std::move(value)});
    }
    return out;
  }
  RopResponse get_properties_list(const RopGetPropertiesList::Request& r, Handles& h) {
    ServerObject& o = object_at(h, r.input_handle_index);
    if (std::holds_alternative<TableObject>(o) || std::holds_alternative<StreamObject>(o))
      throw Failure{ec::NotSupported};
    RopGetPropertiesList::Response out;
    out.input_handle_index = r.input_handle_index;
    for (auto& [t, v] : object_properties(o)) out.property_tags.push_back(t);
    return out;
  }
  template <class Request>
  RopResponse set_properties(const Request& r, Handles& h) {
    ServerObject& o = object_at(h, r.input_handle_index);
    PropertyProblemsResponse<Request::kId> out;
    out.input_handle_index = r.input_handle_index;
    PropertyMap accepted;
    for (size_t i = 0; i < r.property_values.size(); ++i) {
      const auto& pv = r.property_values[i];
      if (is_computed(pv.tag)) {
        out.property_problems.push_back({static_cast<uint16_t>(i), pv.tag, ec::AccessDenied});
        continue;
      }
      accepted[pv.tag] = pv.value;
    }
    if (auto* m = std::get_if<MessageObject>(&o)) {
      if (!m->writable) throw Failure{ec::AccessDenied};
      for (const auto& change : accepted) {
        uint32_t id = change.first >> 16;
        std::erase_if(m->pending, [&](const auto& kv) { return (kv.first >> 16) == id; });
        std::erase_if(m->removed, [&](uint32_t t) { return (t >> 16) == id; });
        m->pending[change.first] = change.second;
      }
    } else if (auto* f = std::get_if<FolderObject>(&o)) {
      need(f->account, f->folder, rights::Owner);
      accepted[tag::ChangeNumber] = PropertyValue::int64(
          static_cast<int64_t>(object_id_from_counter(store->allocate_counter(f->account))));
      accepted[tag::LastModificationTime] = PropertyValue::time(now_filetime());
      store->set_properties(f->account, ObjectKind::Folder, f->folder, 0, accepted);
      if (hub)
        stage_folder_event(f->account, notification_type::ObjectModified, f->folder, 0, tags_of(accepted));
    } else if (auto* a = std::get_if<AttachmentObject>(&o)) {
      if (a->account != user) throw Failure{ec::AccessDenied};
      store->set_properties(a->account, ObjectKind::Attachment, a->message, a->number, accepted);
    } else {
      throw Failure{ec::NotSupported};
    }
    return out;
  }
  template <class Request>
  RopResponse delete_properties(const Request& r, Handles& h) {
    ServerObject& o = object_at(h, r.input_handle_index);
    PropertyProblemsResponse<Request::kId> out;
    out.input_handle_index = r.input_handle_index;
    if (auto* m = std::get_if<MessageObject>(&o)) {
      if (!m->writable) throw Failure{ec::AccessDenied};
      for (PropTag t : r.property_tags) {
        std::erase_if(m->pending, [&](const auto& kv) { return (kv.first >> 16) == (t >> 16); });
        m->removed.insert(t);
      }
    } else if (auto* f = std::get_if<FolderObject>(&o)) {
      need(f->account, f->folder, rights::Owner);
      for (PropTag t : r.property_tags) store->delete_property(f->account, ObjectKind::Folder, f->folder, 0, t);
      if (hub)
        stage_folder_event(f->account, notification_type::ObjectModified, f->folder, 0,
                           std::vector<uint32_t>(r.property_tags.begin(), r.property_tags.end()));
    } else {
      throw Failure{ec::NotSupported};
    }
    return out;
  }

  // The mailbox of the object at `input` (named properties are per mailbox).
  std::string object_mailbox(Handles& h, uint8_t input) {
    std::string account = mailbox_account(object_at(h, input));
    if (account.empty()) throw Failure{ec::InvalidObject};
    return account;
  }

  RopResponse get_ids_from_names(const RopGetPropertyIdsFromNames::Request& r, Handles& h) {
    std::string account = object_mailbox(h, r.input_handle_index);
    bool create = r.flags & 0x02;
    if (create && account != user) throw Failure{ec::AccessDenied};
    RopGetPropertyIdsFromNames::Response out;
    out.input_handle_index = r.input_handle_index;
    bool missing = false;
    for (const auto& name : r.property_names) {
      std::optional<uint16_t> id;
      if (name.kind == property_name_kind::Lid && name.guid == kPsMapi && name.lid < 0x8000)
        id = static_cast<uint16_t>(name.lid);
      else if (name.kind != property_name_kind::None)
        id = store->named_property_id(account, name, create);
      if (!id) missing = true;
      out.property_ids.push_back(id.value_or(0));
    }
    if (missing) out.return_value = ec::WarnWithErrors;
    return out;
  }
  RopResponse get_names_from_ids(const RopGetNamesFromPropertyIds::Request& r, Handles& h) {
    std::string account = object_mailbox(h, r.input_handle_index);
    RopGetNamesFromPropertyIds::Response out;
    out.input_handle_index = r.input_handle_index;
    for (uint16_t id : r.property_ids) {
      PropertyName name;
      if (id < 0x8000) {
        name.kind = property_name_kind::Lid;
        name.guid = kPsMapi;
        name.lid = id;
      } else if (auto n = store->named_property(account, id)) {
        name = *n;
      } else {
        name.kind = property_name_kind::None;
      }
      out.property_names.push_back(std::move(name));
    }
    return out;
  }

  // ---- messages
  RopResponse open_message(const RopOpenMessage::Request& r, Handles& h) {
    std::string account = mailbox_account(object_at(h, r.input_handle_index));
    if (account.empty()) throw Failure{ec::InvalidObject};
    slot(h, r.output_handle_index);
    uint64_t folder = counter_from_object_id(r.folder_id), message = counter_from_object_id(r.message_id);
    auto in = store->message_folder(account, message);
    if (!in || *in != folder) throw Failure{ec::NotFound};
    need(account, folder, rights::ReadAny);
    bool writable = (r.open_mode_flags & 0x03) != 0;  // ReadWrite or BestAccess
    if (writable && account != user && !(folder_rights(account, folder) & rights::EditAny)) {
      if ((r.open_mode_flags & 0x03) == 0x01) throw Failure{ec::AccessDenied};
      writable = false;
    }
    MessageObject m{account, folder, message, false, writable, {}, {}};
    PropertyMap p = message_properties(account, folder, message);
    RopOpenMessage::Response out;
    out.output_handle_index = r.output_handle_index;
    out.message.has_named_properties = std::any_of(p.begin(), p.end(), [](const auto& kv) { return kv.first >= 0x80000000u; });
    auto typed = [&](uint32_t t) {
      TypedString s;
      auto it = p.find(t);
      if (it == p.end()) return s;
      s.value = it->second.as_string();
      s.string_type = s.value.empty() ? string_type::Empty : string_type::Unicode;
      return s;
    };
    out.message.subject_prefix = typed(tag::SubjectPrefix);
    out.message.normalized_subject = typed(tag::NormalizedSubject);
    out.message.recipient_columns = recipient_columns();
    auto rows = recipient_rows(account, message, 0);
    out.message.recipient_count = static_cast<uint16_t>(rows.size());
    for (auto& row : rows) {
      if (out.message.recipient_rows.size() == 255) break;
      OpenRecipientRow o;
      o.recipient_type = row.recipient_type;
      o.code_page_id = 0x04B0;  // CP_WINUNICODE: the strings are UTF-16
      o.recipient_row = std::move(row.recipient_row);
      out.message.recipient_rows.push_back(std::move(o));
    }
    add_object(h, r.output_handle_index, std::move(m));
    return out;
  }
  static std::vector<PropTag> recipient_columns() {
    return {tag::SmtpAddress, tag::DisplayType, tag::AddressType, tag::EntryId};
  }
  std::vector<ReadRecipientRow> recipient_rows(const std::string& account, uint64_t message, uint32_t from) {
    std::vector<ReadRecipientRow> out;
    auto columns = recipient_columns();
    for (uint32_t row_id : store->recipients(account, message)) {
      if (row_id < from) continue;
      PropertyMap p = store->properties(account, ObjectKind::Recipient, message, row_id);
      ReadRecipientRow row;
      row.row_id = row_id;
      auto type = p.find(tag::RecipientType);
      row.recipient_type = static_cast<uint8_t>(type == p.end() ? 1 : type->second.as_int32());
      row.code_page_id = 0x04B0;
      RecipientRow& rr = row.recipient_row;
      rr.recipient_flags = recipient_address_type::Smtp | recipient_flags::E | recipient_flags::D | recipient_flags::S |
                           recipient_flags::U;
      auto text = [&](uint32_t t) {
        auto it = p.find(t);
        return it == p.end() ? std::string() : it->second.as_string();
      };
      rr.email_address = text(tag::EmailAddress);
      rr.display_name = text(tag::DisplayName);
      rr.recipient_properties = make_row(p, columns, 0, true);
      out.push_back(std::move(row));
    }
    return out;
  }
  RopResponse read_recipients(const RopReadRecipients::Request& r, Handles& h) {
    auto& m = object_as<MessageObject>(h, r.input_handle_index);
    RopReadRecipients::Response out;
    out.input_handle_index = r.input_handle_index;
    out.recipient_columns = std::make_shared<const std::vector<PropTag>>(recipient_columns());
    if (m.message) out.recipient_rows = recipient_rows(m.account, m.message, r.row_id);
    if (out.recipient_rows.empty()) throw Failure{ec::NotFound};
    if (out.recipient_rows.size() > 255) out.recipient_rows.resize(255);
    return out;
  }
  RopResponse open_attachment(const RopOpenAttachment::Request& r, Handles& h) {
    auto& m = object_as<MessageObject>(h, r.input_handle_index);
    slot(h, r.output_handle_index);
    auto all = m.message ? store->attachments(m.account, m.message) : std::vector<uint32_t>{};
    if (std::find(all.begin(), all.end(), r.attachment_id) == all.end()) throw Failure{ec::NotFound};
    RopOpenAttachment::Response out;
    out.handle_index = r.output_handle_index;
    add_object(h, r.output_handle_index, AttachmentObject{m.account, m.message, r.attachment_id});
    return out;
  }
  RopResponse create_message(const RopCreateMessage::Request& r, Handles& h) {
    std::string account = mailbox_account(object_at(h, r.input_handle_index));
    if (account.empty()) throw Failure{ec::InvalidObject};
    slot(h, r.output_handle_index);
    uint64_t folder = counter_from_object_id(r.folder_id);
    if (!store->folder_exists(account, folder)) throw Failure{ec::NotFound};
    need(account, folder, rights::Create);
    MessageObject m{account, folder, 0, r.associated_flag != 0, true, {}, {}};
    m.pending[tag::MessageClass] = PropertyValue::string("IPM.Note");
    m.pending[tag::MessageFlags] = PropertyValue::int32(0x08);  // unsent
    RopCreateMessage::Response out;
    out.output_handle_index = r.output_handle_index;
    add_object(h, r.output_handle_index, std::move(m));
    return out;
  }
  RopResponse save_changes_message(const RopSaveChangesMessage::Request& r, Handles& h) {
    slot(h, r.response_handle_index);
    auto& m = object_as<MessageObject>(h, r.input_handle_index);
    if (!m.writable) throw Failure{ec::AccessDenied};
    bool created = !m.message;
    if (created) m.message = store->create_message(m.account, m.folder, m.associated);
    for (uint32_t t : m.removed) store->delete_property(m.account, ObjectKind::Message, m.message, 0, t);
    std::vector<uint32_t> changed_tags = tags_of(m.pending);
    changed_tags.insert(changed_tags.end(), m.removed.begin(), m.removed.end());
    PropertyMap changes = m.pending;
    uint64_t now = now_filetime();
    changes[tag::LastModificationTime] = PropertyValue::time(now);
    if (!store->property(m.account, ObjectKind::Message, m.message, 0, tag::CreationTime))
      changes[tag::CreationTime] = PropertyValue::time(now);
    // Every save is a change: a new change number (MS-OXCFXICS 2.2.1.2.3).
    changes[tag::ChangeNumber] = PropertyValue::int64(
        static_cast<int64_t>(object_id_from_counter(store->allocate_counter(m.account))));
    store->set_properties(m.account, ObjectKind::Message, m.message, 0, changes);
    if (hub) {
      namespace nt = notification_type;
      stage_message_event(m.account, created ? nt::ObjectCreated : nt::ObjectModified, m.folder, m.message,
                          created ? tags_of(store->properties(m.account, ObjectKind::Message, m.message)) : changed_tags);
      if (created && !m.associated) {
        // A new message in its class's receive folder is new mail (MS-OXCNOTIF 3.1.4.1.2.1).
        auto cls = store->property(m.account, ObjectKind::Message, m.message, 0, tag::MessageClass);
        std::string message_class = cls ? cls->as_string() : "IPM.Note";
        auto receive = store->receive_folder(m.account, message_class);
        if (receive && receive->first == m.folder) {
          stage_message_event(m.account, nt::NewMail, m.folder, m.message);
          auto flags = store->property(m.account, ObjectKind::Message, m.message, 0, tag::MessageFlags);
          staged.back().message_flags = flags ? static_cast<uint32_t>(flags->as_int32()) : 0;
          staged.back().message_class = message_class;
        }
      }
      if (!m.associated) stage_counts_changed(m.account, m.folder);
    }
    m.pending.clear();
    m.removed.clear();
    if (r.save_flags & 0x01) m.writable = false;  // KeepOpenReadOnly
    RopSaveChangesMessage::Response out;
    out.response_handle_index = r.response_handle_index;
    out.input_handle_index = r.input_handle_index;
    out.message_id = object_id_from_counter(m.message);
    return out;
  }

  // ---- folders
  RopResponse create_folder(const RopCreateFolder::Request& r, Handles& h) {
    auto& parent = object_as<FolderObject>(h, r.input_handle_index);
    slot(h, r.output_handle_index);
    if (r.folder_type != 1) throw Failure{ec::NotSupported};  // generic folders only: no search folders
    need(parent.account, parent.folder, rights::CreateSubfolder);
    RopCreateFolder::Response out;
    out.output_handle_index = r.output_handle_index;
    std::string account = parent.account;
    if (auto existing = store->find_child_folder(account, parent.folder, r.display_name)) {
      if (!r.open_existing) throw Failure{ec::DuplicateName};
      out.folder_id = object_id_from_counter(*existing);
      out.is_existing_folder = 1;
      add_object(h, r.output_handle_index, FolderObject{account, *existing});
      return out;
    }
    uint64_t now = now_filetime();
    PropertyMap p{{tag::DisplayName, PropertyValue::string(r.display_name)},
                  {tag::FolderType, PropertyValue::int32(1)},
                  {tag::CreationTime, PropertyValue::time(now)},
                  {tag::LastModificationTime, PropertyValue::time(now)}};
    if (!r.comment.empty()) p[0x3004001F] = PropertyValue::string(r.comment);  // PidTagComment
    p[tag::ChangeNumber] = PropertyValue::int64(static_cast<int64_t>(object_id_from_counter(store->allocate_counter(account))));
    uint64_t folder = store->create_folder(account, parent.folder, p);
    if (hub) stage_folder_event(account, notification_type::ObjectCreated, folder, parent.folder, tags_of(p));
    out.folder_id = object_id_from_counter(folder);
    add_object(h, r.output_handle_index, FolderObject{account, folder});
    return out;
  }
  RopResponse delete_messages(const DeleteMessagesRequest<RopId::DeleteMessages>& r, Handles& h) {
    auto& f = object_as<FolderObject>(h, r.input_handle_index);
    need(f.account, f.folder, rights::DeleteAny);
    PartialCompletionResponse<RopId::DeleteMessages> out;
    out.input_handle_index = r.input_handle_index;
    bool contents_changed = false;
    for (uint64_t id : r.message_ids) {
      uint64_t m = counter_from_object_id(id);
      auto in = store->message_folder(f.account, m);
      if (!in || *in != f.folder) {
        out.partial_completion = 1;
        continue;
      }
      bool associated = false;
      if (hub) {
        auto assoc = store->folder_messages(f.account, f.folder, true);
        associated = std::find(assoc.begin(), assoc.end(), m) != assoc.end();
      }
      store->delete_message(f.account, m);
      if (hub) stage_message_event(f.account, notification_type::ObjectDeleted, f.folder, m);
      if (hub && !associated) contents_changed = true;
    }
    if (contents_changed) stage_counts_changed(f.account, f.folder);
    return out;
  }
  RopResponse move_copy_messages(const RopMoveCopyMessages::Request& r, Handles& h) {
    auto& source = object_as<FolderObject>(h, r.source_handle_index);
    using Response = CopyMoveResponse<RopId::MoveCopyMessages>;
    ServerObject* dest_object = nullptr;
    if (r.dest_handle_index < h.size()) {
      auto it = objects.find(h[r.dest_handle_index]);
      if (it != objects.end()) dest_object = &it->second;
    }
    auto* dest = dest_object ? std::get_if<FolderObject>(dest_object) : nullptr;
    if (!dest) {
      Response out;
      out.source_handle_index = r.source_handle_index;
      out.return_value = ec::NullDestinationObject;
      out.dest_handle_index = r.dest_handle_index;
      return out;
    }
    if (dest->account != source.account) throw Failure{ec::NotSupported};  // across mailboxes
    need(source.account, source.folder, r.want_copy ? rights::ReadAny : rights::ReadAny | rights::DeleteAny);
    need(dest->account, dest->folder, rights::Create);
    Response out;
    out.source_handle_index = r.source_handle_index;
    bool moved_any = false;
    for (uint64_t id : r.message_ids) {
      uint64_t m = counter_from_object_id(id);
      auto in = store->message_folder(source.account, m);
      if (!in || *in != source.folder) {
        out.partial_completion = 1;
        continue;
      }
      uint64_t target = m;
      if (r.want_copy)
        target = store->copy_message(source.account, m, dest->folder);
      else
        store->move_message(source.account, m, dest->folder);
      store->set_properties(source.account, ObjectKind::Message, target, 0,
                            {{tag::ChangeNumber, PropertyValue::int64(static_cast<int64_t>(
                                                     object_id_from_counter(store->allocate_counter(source.account))))}});
      if (hub) {
        stage_message_event(source.account, r.want_copy ? notification_type::ObjectCopied : notification_type::ObjectMoved,
                            dest->folder, target);
        staged.back().old_folder_id = object_id_from_counter(source.folder);
        staged.back().old_message_id = object_id_from_counter(m);
        moved_any = true;
      }
    }
    if (moved_any) {
      if (!r.want_copy) stage_counts_changed(source.account, source.folder);
      if (dest->folder != source.folder || r.want_copy) stage_counts_changed(source.account, dest->folder);
    }
    return out;
  }
  RopResponse modify_permissions(const RopModifyPermissions::Request& r, Handles& h) {
    auto& f = object_as<FolderObject>(h, r.input_handle_index);
    if (f.account != user) need(f.account, f.folder, rights::Owner);
    if (r.modify_flags & 0x01) {  // ReplaceRows: the list replaces every entry but default and anonymous
      for (const auto& p : store->permissions(f.account, f.folder))
        if (p.member_id > 0) store->remove_permission(f.account, f.folder, p.member_id);
    }
    for (const auto& row : r.permissions_data) {
      std::optional<int64_t> member_id;
      std::optional<uint32_t> member_rights;
      std::string member_account;
      for (const auto& v : row.property_values) {
        if (v.tag == tag::MemberId) member_id = v.value.as_int64();
        if (v.tag == tag::MemberRights) member_rights = static_cast<uint32_t>(v.value.as_int32());
        if (v.tag == tag::EntryId && v.value.type() == ptyp::Binary) {
          try {
            EntryId id = decode_entry_id(v.value.as_binary());
            if (auto* ab = std::get_if<AddressBookEntryId>(&id)) {
              std::string dn = lower(ab->x500_dn);
              size_t cn = dn.rfind("/cn=");
              if (cn != std::string::npos && lower(sample::user_dn(dn.substr(cn + 4))) == dn)
                member_account = dn.substr(cn + 4);
            }
          } catch (const Error&) {
            throw Failure{ec::InvalidParameter};
          }
        }
      }
      switch (row.flags) {
        case 0x01: {  // AddRow: the member comes from PidTagEntryId
          if (member_account.empty() || !member_rights) throw Failure{ec::InvalidParameter};
          int64_t id = 0;
          for (size_t i = 0; i < sample::kUsers.size(); ++i)
            if (sample::kUsers[i].account == member_account) id = static_cast<int64_t>(i + 1);
          std::string name;
          for (const auto& u : sample::kUsers)
            if (u.account == member_account) name = std::string(u.display_name);
          store->set_permission(f.account, f.folder, {id, member_account, name, *member_rights});
          break;
        }
        case 0x02: {  // ModifyRow
          if (!member_id || !member_rights) throw Failure{ec::InvalidParameter};
          bool found = false;
          for (auto p : store->permissions(f.account, f.folder))
            if (p.member_id == *member_id) {
              p.rights = *member_rights;
              store->set_permission(f.account, f.folder, p);
              found = true;
            }
          if (!found) {
            if (*member_id > 0) throw Failure{ec::NotFound};
            store->set_permission(f.account, f.folder, {*member_id, "", "", *member_rights});
          }
          break;
        }
        case 0x04:  // RemoveRow
          if (!member_id) throw Failure{ec::InvalidParameter};
          store->remove_permission(f.account, f.folder, *member_id);
          break;
        default: throw Failure{ec::InvalidParameter};
      }
    }
    RopModifyPermissions::Response out;
    out.handle_index = r.input_handle_index;
    return out;
  }

  // ---- store-level
  RopResponse get_receive_folder(const RopGetReceiveFolder::Request& r, Handles& h) {
    auto& l = object_as<LogonObject>(h, r.input_handle_index);
    auto found = store->receive_folder(l.account, r.message_class);
    if (!found) throw Failure{ec::NotFound};
    RopGetReceiveFolder::Response out;
    out.input_handle_index = r.input_handle_index;
    out.folder_id = object_id_from_counter(found->first);
    out.explicit_message_class = found->second;
    return out;
  }
  RopResponse long_term_id_from_id(const RopLongTermIdFromId::Request& r, Handles& h) {
    auto& l = object_as<LogonObject>(h, r.input_handle_index);
    if (replica_of_object_id(r.object_id) != kLocalReplicaId) throw Failure{ec::NotFound};
    RopLongTermIdFromId::Response out;
    out.input_handle_index = r.input_handle_index;
    out.long_term_id.gid = GlobalId{mailbox_of(l.account).replica_guid, counter_from_object_id(r.object_id)};
    return out;
  }
  RopResponse id_from_long_term_id(const RopIdFromLongTermId::Request& r, Handles& h) {
    auto& l = object_as<LogonObject>(h, r.input_handle_index);
    if (r.long_term_id.gid.database_guid != mailbox_of(l.account).replica_guid) throw Failure{ec::NotFound};
    RopIdFromLongTermId::Response out;
    out.input_handle_index = r.input_handle_index;
    out.object_id = object_id_from_counter(r.long_term_id.gid.global_counter);
    return out;
  }

  // ---- streams
  RopResponse open_stream(const RopOpenStream::Request& r, Handles& h) {
    uint32_t parent = slot(h, r.input_handle_index);
    ServerObject& o = object_at(h, r.input_handle_index);
    slot(h, r.output_handle_index);
    PropType type = static_cast<PropType>(r.property_tag & 0xFFFF);
    if (type != ptyp::Binary && type != ptyp::String && type != ptyp::String8) throw Failure{ec::NotSupported};
    bool writable = r.open_mode_flags == 0x01 || r.open_mode_flags == 0x02;
    if (std::holds_alternative<TableObject>(o) || std::holds_alternative<StreamObject>(o) ||
        std::holds_alternative<LogonObject>(o))
      throw Failure{ec::NotSupported};
    if (auto* m = std::get_if<MessageObject>(&o); m && writable && !m->writable) throw Failure{ec::AccessDenied};
    if (auto* f = std::get_if<FolderObject>(&o); f && writable) need(f->account, f->folder, rights::Owner);
    if (auto* a = std::get_if<AttachmentObject>(&o); a && writable && a->account != user) throw Failure{ec::AccessDenied};
    StreamObject s;
    s.parent = parent;
    s.property = r.property_tag;
    s.writable = writable;
    Row holder{0, object_properties(o)};
    auto v = row_value(holder, r.property_tag);
    if (v && r.open_mode_flags != 0x02) {  // Create starts empty
      if (v->type() == ptyp::Binary) s.data = v->as_binary();
      else if (v->type() == ptyp::String) s.data = utf8_to_utf16le(v->as_string());
      else s.data = Bytes(v->as_string().begin(), v->as_string().end());
    } else if (!v && !writable) {
      throw Failure{ec::NotFound};
    }
    RopOpenStream::Response out;
    out.output_handle_index = r.output_handle_index;
    out.stream_size = static_cast<uint32_t>(s.data.size());
    add_object(h, r.output_handle_index, std::move(s));
    return out;
  }
  RopResponse read_stream(const RopReadStream::Request& r, Handles& h, size_t budget) {
    auto& s = object_as<StreamObject>(h, r.input_handle_index);
    size_t wanted = r.byte_count == kReadStreamUseMaximum ? r.maximum_byte_count : r.byte_count;
    size_t room = budget > 16 ? budget - 16 : 0;
    size_t left = s.data.size() - std::min(s.position, s.data.size());
    size_t n = std::min({wanted, left, room, size_t{0xFFF0}});
    // No room for a single byte: answer in full and let process() turn it into RopBufferTooSmall,
    // rather than a zero-byte read the client would take for the end of the stream.
    if (n == 0 && wanted && left) n = std::min({wanted, left, size_t{0xFFF0}});
    RopReadStream::Response out;
    out.input_handle_index = r.input_handle_index;
    out.data.assign(s.data.begin() + static_cast<std::ptrdiff_t>(std::min(s.position, s.data.size())),
                    s.data.begin() + static_cast<std::ptrdiff_t>(std::min(s.position, s.data.size()) + n));
    s.position += n;
    return out;
  }
  RopResponse write_stream(const WriteStreamRequest<RopId::WriteStream>& r, Handles& h) {
    auto& s = object_as<StreamObject>(h, r.input_handle_index);
    if (!s.writable) throw Failure{ec::AccessDenied};
    if (s.position + r.data.size() > s.data.size()) s.data.resize(s.position + r.data.size());
    std::copy(r.data.begin(), r.data.end(), s.data.begin() + static_cast<std::ptrdiff_t>(s.position));
    s.position += r.data.size();
    s.dirty = true;
    WriteStreamResponse<RopId::WriteStream> out;
    out.input_handle_index = r.input_handle_index;
    out.written_size = static_cast<uint16_t>(r.data.size());
    return out;
  }
  void commit(StreamObject& s) {
    if (!s.dirty) return;
    auto it = objects.find(s.parent);
    if (it == objects.end()) throw Failure{ec::NullObject};
    PropType type = static_cast<PropType>(s.property & 0xFFFF);
    PropertyValue v = type == ptyp::Binary   ? PropertyValue::binary(s.data)
                      : type == ptyp::String ? PropertyValue::string(utf16le_to_utf8(s.data))
                                             : PropertyValue::string8(std::string(s.data.begin(), s.data.end()));
    if (auto* m = std::get_if<MessageObject>(&it->second)) {
      std::erase_if(m->pending, [&](const auto& kv) { return (kv.first >> 16) == (s.property >> 16); });
      m->pending[s.property] = v;
    } else if (auto* f = std::get_if<FolderObject>(&it->second)) {
      store->set_properties(f->account, ObjectKind::Folder, f->folder, 0, {{s.property, v}});
    } else if (auto* a = std::get_if<AttachmentObject>(&it->second)) {
      store->set_properties(a->account, ObjectKind::Attachment, a->message, a->number, {{s.property, v}});
    }
    s.dirty = false;
  }
  RopResponse commit_stream(const RopCommitStream::Request& r, Handles& h) {
    commit(object_as<StreamObject>(h, r.input_handle_index));
    RopCommitStream::Response out;
    out.handle_index = r.input_handle_index;
    return out;
  }
  RopResponse get_stream_size(const RopGetStreamSize::Request& r, Handles& h) {
    auto& s = object_as<StreamObject>(h, r.input_handle_index);
    RopGetStreamSize::Response out;
    out.input_handle_index = r.input_handle_index;
    out.stream_size = static_cast<uint32_t>(s.data.size());
    return out;
  }
  RopResponse seek_stream(const RopSeekStream::Request& r, Handles& h) {
    auto& s = object_as<StreamObject>(h, r.input_handle_index);
    int64_t base = r.origin == 0 ? 0 : r.origin == 1 ? static_cast<int64_t>(s.position)
                                   : r.origin == 2 ? static_cast<int64_t>(s.data.size()) : -1;
    if (base < 0) throw Failure{ec::InvalidParameter};
    int64_t target = base + static_cast<int64_t>(r.offset);
    if (target < 0 || target > 0x7FFFFFFF) throw Failure{ec::InvalidParameter};
    s.position = static_cast<size_t>(target);
    RopSeekStream::Response out;
    out.input_handle_index = r.input_handle_index;
    out.new_position = static_cast<uint64_t>(target);
    return out;
  }

  // ---- notifications
  RopResponse register_notification(const RopRegisterNotification::Request& r, Handles& h) {
    std::string account = mailbox_account(object_at(h, r.input_handle_index));
    if (account.empty()) throw Failure{ec::InvalidObject};
    slot(h, r.output_handle_index);
    if (!queue) throw Failure{ec::NotSupported};
    Subscription s;
    s.mailbox = account;
    s.logon_id = r.logon_id;
    s.types = r.notification_types;
    s.whole_store = r.want_whole_store != 0;
    if (!s.whole_store) {
      if (replica_of_object_id(r.folder_id) != kLocalReplicaId) throw Failure{ec::NotFound};
      uint64_t folder = counter_from_object_id(r.folder_id);
      if (!store->folder_exists(account, folder)) throw Failure{ec::NotFound};
      need(account, folder, rights::Visible);
      if (r.message_id != 0) {
        auto in = store->message_folder(account, counter_from_object_id(r.message_id));
        if (!in || *in != folder) throw Failure{ec::NotFound};
      }
      s.folder_id = r.folder_id;
      s.message_id = r.message_id;
    } else if (account != user) {
      throw Failure{ec::AccessDenied};  // a delegate subscribes to the folders it may see, not to the store
    }
    uint32_t handle = add_object(h, r.output_handle_index, SubscriptionObject{});
    std::get<SubscriptionObject>(objects.at(handle)).token = std::make_shared<SubscriptionToken>(queue, handle);
    queue->subscribe(handle, std::move(s));
    RopRegisterNotification::Response out;
    out.handle_index = r.output_handle_index;
    return out;
  }

  // Runs one ROP; nullopt for RopRelease (no response). Failures become the ROP's failure response.
  std::optional<RopResponse> run(const RopRequest& rop, Handles& h, size_t budget) {
    try {
      if (auto* r = get_if<RopRelease::Request>(&rop)) {
        if (r->input_handle_index < h.size()) objects.erase(h[r->input_handle_index]);
        return std::nullopt;
      }
      if (auto* r = get_if<RopLogon::Request>(&rop)) return logon(*r, h);
      if (auto* r = get_if<RopOpenFolder::Request>(&rop)) return open_folder(*r, h);
      if (auto* r = get_if<RopGetHierarchyTable::Request>(&rop))
        return open_table<RopGetHierarchyTable::Response>(*r, h, TableKind::Hierarchy);
      if (auto* r = get_if<RopGetContentsTable::Request>(&rop))
        return open_table<RopGetContentsTable::Response>(*r, h, TableKind::Contents);
      if (auto* r = get_if<RopGetAttachmentTable::Request>(&rop))
        return open_table<RopGetAttachmentTable::Response>(*r, h, TableKind::Attachments);
      if (auto* r = get_if<RopGetPermissionsTable::Request>(&rop))
        return open_table<RopGetPermissionsTable::Response>(*r, h, TableKind::Permissions);
      if (auto* r = get_if<RopSetColumns::Request>(&rop)) return set_columns(*r, h);
      if (auto* r = get_if<RopSortTable::Request>(&rop)) return sort_table(*r, h);
      if (auto* r = get_if<RopRestrict::Request>(&rop)) return restrict(*r, h);
      if (auto* r = get_if<RopQueryRows::Request>(&rop)) return query_rows(*r, h, budget);
      if (auto* r = get_if<RopQueryPosition::Request>(&rop)) return query_position(*r, h);
      if (auto* r = get_if<RopSeekRow::Request>(&rop)) return seek_row(*r, h);
      if (auto* r = get_if<RopSeekRowBookmark::Request>(&rop)) return seek_row_bookmark(*r, h);
      if (auto* r = get_if<RopCreateBookmark::Request>(&rop)) return create_bookmark(*r, h);
      if (auto* r = get_if<RopFreeBookmark::Request>(&rop)) return free_bookmark(*r, h);
      if (auto* r = get_if<RopFindRow::Request>(&rop)) return find_row(*r, h);
      if (auto* r = get_if<RopResetTable::Request>(&rop)) return reset_table(*r, h);
      if (auto* r = get_if<RopGetStatus::Request>(&rop)) return get_status(*r, h);
      if (auto* r = get_if<RopQueryColumnsAll::Request>(&rop)) return query_columns_all(*r, h);
      if (auto* r = get_if<RopGetPropertiesSpecific::Request>(&rop)) return get_properties_specific(*r, h);
      if (auto* r = get_if<RopGetPropertiesAll::Request>(&rop)) return get_properties_all(*r, h);
      if (auto* r = get_if<RopGetPropertiesList::Request>(&rop)) return get_properties_list(*r, h);
      if (auto* r = get_if<RopSetProperties::Request>(&rop)) return set_properties(*r, h);
      if (auto* r = get_if<RopSetPropertiesNoReplicate::Request>(&rop)) return set_properties(*r, h);
      if (auto* r = get_if<RopDeleteProperties::Request>(&rop)) return delete_properties(*r, h);
      if (auto* r = get_if<RopDeletePropertiesNoReplicate::Request>(&rop)) return delete_properties(*r, h);
      if (auto* r = get_if<RopGetPropertyIdsFromNames::Request>(&rop)) return get_ids_from_names(*r, h);
      if (auto* r = get_if<RopGetNamesFromPropertyIds::Request>(&rop)) return get_names_from_ids(*r, h);
      if (auto* r = get_if<RopOpenMessage::Request>(&rop)) return open_message(*r, h);
      if (auto* r = get_if<RopReadRecipients::Request>(&rop)) return read_recipients(*r, h);
      if (auto* r = get_if<RopOpenAttachment::Request>(&rop)) return open_attachment(*r, h);
      if (auto* r = get_if<RopCreateMessage::Request>(&rop)) return create_message(*r, h);
      if (auto* r = get_if<RopSaveChangesMessage::Request>(&rop)) return save_changes_message(*r, h);
      if (auto* r = get_if<RopCreateFolder::Request>(&rop)) return create_folder(*r, h);
      if (auto* r = get_if<RopDeleteMessages::Request>(&rop)) return delete_messages(*r, h);
      if (auto* r = get_if<RopMoveCopyMessages::Request>(&rop)) return move_copy_messages(*r, h);
      if (auto* r = get_if<RopModifyPermissions::Request>(&rop)) return modify_permissions(*r, h);
      if (auto* r = get_if<RopGetReceiveFolder::Request>(&rop)) return get_receive_folder(*r, h);
      if (auto* r = get_if<RopLongTermIdFromId::Request>(&rop)) return long_term_id_from_id(*r, h);
      if (auto* r = get_if<RopIdFromLongTermId::Request>(&rop)) return id_from_long_term_id(*r, h);
      if (auto* r = get_if<RopOpenStream::Request>(&rop)) return open_stream(*r, h);
      if (auto* r = get_if<RopReadStream::Request>(&rop)) return read_stream(*r, h, budget);
      if (auto* r = get_if<RopWriteStream::Request>(&rop)) return write_stream(*r, h);
      if (auto* r = get_if<RopCommitStream::Request>(&rop)) return commit_stream(*r, h);
      if (auto* r = get_if<RopGetStreamSize::Request>(&rop)) return get_stream_size(*r, h);
      if (auto* r = get_if<RopSeekStream::Request>(&rop)) return seek_stream(*r, h);
      if (auto* r = get_if<RopRegisterNotification::Request>(&rop)) return register_notification(*r, h);
      return failure_response(rop, ec::NotSupported);
    } catch (const Failure& f) {
      return failure_response(rop, f.code);
    }
  }
};

RopProcessor::RopProcessor(std::shared_ptr<MailboxStore> store, std::string account,
                           std::shared_ptr<NotificationHub> hub, uint16_t session_index)
    : state_(std::make_unique<State>()) {
  state_->store = std::move(store);
  state_->user = std::move(account);
  state_->session_index = session_index;
  if (hub) {
    state_->queue = hub->open_queue();
    state_->hub = std::move(hub);
  }
}
std::shared_ptr<NotificationQueue> RopProcessor::notifications() const { return state_->queue; }
RopProcessor::~RopProcessor() = default;
size_t RopProcessor::open_objects() const { return state_->objects.size(); }

}  // namespace exmapi::server::emsmdb

namespace exmapi::server::emsmdb {

Bytes RopProcessor::process(ByteView input, size_t max_output) {
  State& s = *state_;
  RopRequestBuffer request;
  try {
    request = decode_request_buffer(input, &s.logon_flags);
  } catch (const std::exception& e) {
    throw RopFormatError(std::string("the ROP input buffer does not decode: ") + e.what());
  }
  // RopBufferTooSmall returns the unprocessed requests as they came; re-encoding gives their bytes.
  std::vector<Bytes> request_bytes;
  for (const auto& rop : request.rops) {
    ByteWriter w;
    encode_request(w, rop);
    request_bytes.push_back(w.take());
  }
  std::vector<uint32_t> handles = request.handles;
  std::vector<RopResponse> responses;
  size_t used = 2 + 4 * handles.size();  // RopSize and the handle table
  const size_t n = request.rops.size();
  for (size_t i = 0; i < n; ++i) {
    size_t rest = 0;
    for (size_t j = i + 1; j < n; ++j) rest += request_bytes[j].size();
    // Room for a RopBufferTooSmall carrying the ROPs after this one, should one of them not fit.
    size_t reserve = i + 1 < n ? 1 + 2 + rest : 0;
    size_t budget = max_output > used + reserve ? max_output - used - reserve : 0;
    std::vector<uint32_t> saved_handles = handles;
    std::map<uint32_t, ServerObject> saved_objects = s.objects;
    uint32_t saved_next = s.next_handle;
    s.store->begin();
    s.staged.clear();
    std::optional<RopResponse> response;
    try {
      response = s.run(request.rops[i], handles, budget);
    } catch (const std::exception&) {
      // A store failure (I/O, a stored value that does not decode) fails this ROP alone.
      s.store->rollback();
      s.store->begin();
      handles = saved_handles;
      s.objects = saved_objects;
      s.next_handle = saved_next;
      s.staged.clear();
      response = failure_response(request.rops[i], ec::GeneralFailure);
    }
    size_t size = 0;
    if (response) {
      ByteWriter w;
      encode_response(w, *response);
      size = w.size();
    }
    if (used + size + reserve <= max_output) {
      s.store->commit();
      std::vector<StoreEvent> events = std::move(s.staged);
      s.staged.clear();
      if (s.hub)
        for (const auto& e : events) s.hub->publish(e);
      used += size;
      if (response) responses.push_back(std::move(*response));
      continue;
    }
    // It does not fit: undo it and hand it back with the rest (MS-OXCROPS 3.2.5.1).
    s.store->rollback();
    s.staged.clear();
    handles = std::move(saved_handles);
    s.objects = std::move(saved_objects);
    s.next_handle = saved_next;
    RopBufferTooSmall::Response too_small;
    too_small.size_needed = static_cast<uint16_t>(std::min<size_t>(0xFFFF, used + size + reserve + 8));
    for (size_t j = i; j < n; ++j)
      too_small.request_buffers.insert(too_small.request_buffers.end(), request_bytes[j].begin(), request_bytes[j].end());
    responses.push_back(std::move(too_small));
    break;
  }
  // Notifications follow the ROP responses (MS-OXCNOTIF 3.1.5.7), but never a RopBufferTooSmall,
  // which must end the buffer: they wait for the retry.
  bool stopped = !responses.empty() && get_if<RopBufferTooSmall::Response>(&responses.back());
  if (s.queue && !stopped) {
    constexpr size_t kPendingSize = 1 + 2;  // RopId, SessionIndex
    while (auto n = s.queue->pop()) {
      ByteWriter w;
      RopResponse notify(std::move(*n));
      encode_response(w, notify);
      size_t room_after = s.queue->has_pending() ? kPendingSize : 0;
      if (used + w.size() + room_after > max_output) {
        s.queue->push_front(std::move(get<RopNotify::Response>(notify)));
        break;
      }
      used += w.size();
      responses.push_back(std::move(notify));
    }
    if (s.queue->has_pending() && used + kPendingSize <= max_output) {
      RopPending::Response pending;
      pending.session_index = s.session_index;
      responses.push_back(pending);
    }
  }
  RopResponseBuffer out;
  out.rops = std::move(responses);
  out.handles = std::move(handles);
  return encode_response_buffer(out);
}

}  // namespace exmapi::server::emsmdb
