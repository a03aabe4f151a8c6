// The mailbox half of the reference server's store: folders, messages, recipients, attachments,
// properties, named-property mappings, change numbers and folder permissions, in the SQLite file the
// address book also lives in. Every table is prefixed `mbx_` and created IF NOT EXISTS, so the
// directory code and this code open the same file independently.
//
// Identifiers follow MS-OXCDATA 2.2.1: a folder or message is named by a 48-bit GlobalCounter that
// the mailbox allocates (one counter serves object IDs and change numbers); with the replica ID 1 of
// the mailbox's own replica it becomes the 8-byte FID/MID of the wire (ObjectId).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/text.hpp"
#include "rop/property_value.hpp"
#include "rop/rops_property.hpp"

struct sqlite3;

namespace exmapi::server {

// The replica ID every mailbox uses for its own objects (MS-OXCDATA 2.2.1.1: 1 is the local replica).
constexpr uint16_t kLocalReplicaId = 1;

uint64_t object_id_from_counter(uint64_t global_counter);  // FID/MID as a wire u64
uint64_t counter_from_object_id(uint64_t wire_id);
uint16_t replica_of_object_id(uint64_t wire_id);

using PropertyMap = std::map<uint32_t, rop::PropertyValue>;

// What a property row belongs to (the `kind` column of mbx_property).
enum class ObjectKind : int { Folder = 1, Message = 2, Recipient = 3, Attachment = 4 };

struct MailboxInfo {
  std::string account;
  Guid mailbox_guid;  // MailboxGuid of RopLogon and the ProviderUID of entry IDs
  Guid replica_guid;  // ReplGuid: the DatabaseGuid of this mailbox's long-term IDs
};

struct FolderPermission {
  int64_t member_id = 0;       // PidTagMemberId: 0 default, -1 anonymous, else a user
  std::string member_account;  // empty for default/anonymous
  std::string member_name;
  uint32_t rights = 0;  // PidTagMemberRights
};

class MailboxStore {
 public:
  // Opens (or creates) the SQLite file and its mbx_ tables. Throws Error naming the file on failure.
  explicit MailboxStore(const std::string& path);
  ~MailboxStore();
  MailboxStore(const MailboxStore&) = delete;
  MailboxStore& operator=(const MailboxStore&) = delete;

  // ---- transactions: writes of one ROP or one seeding step commit together
  void begin();
  void commit();
  void rollback() noexcept;

  // ---- mailboxes
  std::optional<MailboxInfo> mailbox(std::string_view account);
  MailboxInfo create_mailbox(std::string_view account);
  // The next GlobalCounter of the mailbox (object IDs and change numbers share it).
  uint64_t allocate_counter(std::string_view account);
  // Special folders by role (the 13 RopLogon FIDs and the IPM folders), counters.
  void set_special_folder(std::string_view account, std::string_view role, uint64_t folder_counter);
  std::optional<uint64_t> special_folder(std::string_view account, std::string_view role);

  // ---- folders (counters, not wire IDs)
  bool folder_exists(std::string_view account, uint64_t folder);
  std::optional<uint64_t> folder_parent(std::string_view account, uint64_t folder);  // 0 for the root
  std::vector<uint64_t> child_folders(std::string_view account, uint64_t folder);
  uint64_t create_folder(std::string_view account, uint64_t parent, const PropertyMap& properties);
  std::optional<uint64_t> find_child_folder(std::string_view account, uint64_t parent, std::string_view display_name);
  void delete_folder(std::string_view account, uint64_t folder);

  // ---- messages
  std::vector<uint64_t> folder_messages(std::string_view account, uint64_t folder, bool associated);
  std::optional<uint64_t> message_folder(std::string_view account, uint64_t message);
  uint64_t create_message(std::string_view account, uint64_t folder, bool associated);
  void delete_message(std::string_view account, uint64_t message);
  void move_message(std::string_view account, uint64_t message, uint64_t folder);
  uint64_t copy_message(std::string_view account, uint64_t message, uint64_t folder);

  // ---- properties of any object; `sub` is the recipient row or attachment number, else 0
  PropertyMap properties(std::string_view account, ObjectKind kind, uint64_t object, uint32_t sub = 0);
  std::optional<rop::PropertyValue> property(std::string_view account, ObjectKind kind, uint64_t object, uint32_t sub,
                                             uint32_t tag);
  void set_properties(std::string_view account, ObjectKind kind, uint64_t object, uint32_t sub,
                      const PropertyMap& properties);
  void delete_property(std::string_view account, ObjectKind kind, uint64_t object, uint32_t sub, uint32_t tag);
  void replace_properties(std::string_view account, ObjectKind kind, uint64_t object, uint32_t sub,
                          const PropertyMap& properties);

  // ---- recipients and attachments of a message
  std::vector<uint32_t> recipients(std::string_view account, uint64_t message);
  uint32_t add_recipient(std::string_view account, uint64_t message, const PropertyMap& properties);
  std::vector<uint32_t> attachments(std::string_view account, uint64_t message);
  uint32_t add_attachment(std::string_view account, uint64_t message, const PropertyMap& properties);

  // ---- named properties: one mapping per mailbox, IDs from 0x8000 up (MS-OXCPRPT 3.2.5.9)
  // The ID of `name`, created when `create` is set; nullopt when unknown and not created, or when
  // the 0x8000..0xFFFE range is exhausted.
  std::optional<uint16_t> named_property_id(std::string_view account, const rop::PropertyName& name, bool create);
  std::optional<rop::PropertyName> named_property(std::string_view account, uint16_t id);

  // ---- folder permissions (MS-OXCPERM)
  std::vector<FolderPermission> permissions(std::string_view account, uint64_t folder);
  void set_permission(std::string_view account, uint64_t folder, const FolderPermission& permission);
  void remove_permission(std::string_view account, uint64_t folder, int64_t member_id);
  void clear_permissions(std::string_view account, uint64_t folder);

  // ---- receive folders (MS-OXCSTOR 2.2.1.2)
  void set_receive_folder(std::string_view account, std::string_view message_class, uint64_t folder);
  // The entry whose class is the longest prefix of `message_class` (case-insensitive), with that class.
  std::optional<std::pair<uint64_t, std::string>> receive_folder(std::string_view account,
                                                                 std::string_view message_class);

 private:
  class Statement;
  Statement prepare(std::string_view sql);
  void exec(std::string_view sql);
  sqlite3* db_ = nullptr;
  std::string path_;
};

// A property value as stored: its wire form in the wide count width; the type is the tag's.
Bytes encode_stored_value(const rop::PropertyValue& value);
rop::PropertyValue decode_stored_value(uint32_t tag, ByteView blob);

}  // namespace exmapi::server
