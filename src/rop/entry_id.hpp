// Identifiers of MS-OXCDATA 2.2: short-term IDs (Folder ID, Message ID), global identifiers (GID,
// LongTermID, XID) and the entry IDs that name stores, folders, messages and recipients.
//
// Decisions:
// - GlobalCounter is a 48-bit number that the spec stores big-endian (6 bytes) inside otherwise
//   little-endian structures; it is kept as a uint64_t value here and written big-endian, so
//   "0001-00000E8EDF36" in a spec example reads as ReplicaId 1, GlobalCounter 0x0E8EDF36.
// - decode_entry_id() recognises the kind from the ProviderUID (and, for folder/message entry IDs,
//   whose ProviderUID is a mailbox GUID, from the length and the object type) and returns a
//   variant. Anything it does not recognise is kept as RawEntryId, so every entry ID re-encodes to
//   the bytes it came from. A recognised kind whose bytes break the spec's rules is a DecodeError
//   with the offset and field, never a silent fallback.
// - Flags (the first 4 bytes of every entry ID) is kept as read: the spec says long-term IDs stored
//   in properties have 0 there, but the same bits mark short-term IDs, which are legitimate.
// - Constants the spec fixes (Version, Pad, DLLFileName, reserved bytes) are checked on decode and
//   written by the encoder; they are not fields a caller can set wrongly.
// - 8-bit strings (server names, DNs, non-Unicode one-off strings) are kept as raw bytes; their
//   code page is the session's business. UTF-16 strings become UTF-8 (lone surrogates preserved,
//   see base/text.hpp).
// - Store Object EntryIDs made by Outlook may carry more bytes after MailboxDN (structures with
//   their own magic numbers that the Open Specifications do not describe); they are kept as
//   `trailing` bytes so the entry ID survives a round trip.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "base/bytes.hpp"
#include "base/text.hpp"

namespace exmapi::rop {

constexpr uint64_t kMaxGlobalCounter = 0xFFFFFFFFFFFFull;

// GlobalCounter (6 bytes, big-endian), MS-OXCDATA 2.2.1.
uint64_t read_global_counter(ByteReader& r, std::string_view field);
void write_global_counter(ByteWriter& w, uint64_t counter, std::string_view field = "GlobalCounter");

// Folder ID (2.2.1.1) and Message ID (2.2.1.2) share one 8-byte layout: ReplicaId(2) GlobalCounter(6).
struct ObjectId {
  uint16_t replica_id = 0;
  uint64_t global_counter = 0;
  friend bool operator==(const ObjectId&, const ObjectId&) = default;

  // ROPs carry these 8 bytes where a little-endian uint64 is read; these convert both ways.
  static ObjectId from_wire_u64(uint64_t value) noexcept;
  uint64_t to_wire_u64() const;
  static ObjectId read(ByteReader& r, std::string_view field = "ObjectId");
  void write(ByteWriter& w) const;
  std::string to_string() const;  // "0001-00000E8EDF36" (ReplicaId-GlobalCounter, hex)
};
using FolderId = ObjectId;
using MessageId = ObjectId;

// Global Identifier, GID (2.2.1.3): DatabaseGuid(16) GlobalCounter(6), 22 bytes.
struct GlobalId {
  Guid database_guid;
  uint64_t global_counter = 0;
  friend bool operator==(const GlobalId&, const GlobalId&) = default;
  static constexpr size_t kSize = 22;
  static GlobalId read(ByteReader& r, std::string_view field = "GID");
  void write(ByteWriter& w) const;
};

// LongTermID (2.2.1.3.1): a GID plus Pad(2) = 0, 24 bytes.
struct LongTermId {
  GlobalId gid;
  friend bool operator==(const LongTermId&, const LongTermId&) = default;
  static constexpr size_t kSize = 24;
  static LongTermId read(ByteReader& r, std::string_view field = "LongTermID");
  void write(ByteWriter& w) const;
};

// XID (MS-OXCFXICS 2.2.2.2): NamespaceGuid(16) LocalId(1..8 bytes). Its size comes from outside
// (SizedXid, a property value), so read() takes the whole size.
struct Xid {
  Guid namespace_guid;
  Bytes local_id;
  friend bool operator==(const Xid&, const Xid&) = default;
  static Xid read(ByteReader& r, size_t size, std::string_view field = "XID");
  void write(ByteWriter& w) const;
};

// Store object types at the start of ProviderData (2.2.4).
namespace store_object_type {
constexpr uint16_t PrivateFolder = 0x0001;          // eitLTPrivateFolder
constexpr uint16_t PublicFolder = 0x0003;           // eitLTPublicFolder
constexpr uint16_t MappedPublicFolder = 0x0005;     // eitLTWackyFolder
constexpr uint16_t PrivateMessage = 0x0007;         // eitLTPrivateMessage
constexpr uint16_t PublicMessage = 0x0009;          // eitLTPublicMessage
constexpr uint16_t MappedPublicMessage = 0x000B;    // eitLTWackyMessage
constexpr uint16_t PublicNewsgroupFolder = 0x000C;  // eitLTPublicFolderByName
}  // namespace store_object_type
bool is_folder_object_type(uint16_t type) noexcept;
bool is_message_object_type(uint16_t type) noexcept;
const char* store_object_type_name(uint16_t type) noexcept;  // "PrivateFolder", or nullptr

// Well-known ProviderUIDs, in wire byte order.
namespace provider_uid {
extern const Guid kPublicFolderStore;   // Folder/Message EntryID ProviderUID of the public store (2.2.4.1)
extern const Guid kStoreWrap;           // Store Object EntryID, MUIDStoreWrap (2.2.4.3)
extern const Guid kWrappedMailboxStore; // Store Object EntryID WrappedProviderUID, mailbox store
extern const Guid kWrappedPublicStore;  // Store Object EntryID WrappedProviderUID, public folder store
extern const Guid kAddressBook;         // Address Book EntryID / PermanentEntryID, GUID_NSPI (2.2.5.2)
extern const Guid kOneOff;              // One-Off EntryID, MAPI_ONE_OFF_UID (2.2.5.1)
extern const Guid kContactProvider;     // Contact Address / Personal Distribution List EntryID (2.2.5.3/4)
}  // namespace provider_uid

// Folder EntryID (2.2.4.1), 46 bytes.
struct FolderEntryId {
  uint32_t flags = 0;
  Guid provider_uid;  // MailboxGuid of the logon (private) or provider_uid::kPublicFolderStore
  uint16_t folder_type = store_object_type::PrivateFolder;
  GlobalId folder;    // DatabaseGuid + GlobalCounter
  friend bool operator==(const FolderEntryId&, const FolderEntryId&) = default;
  static constexpr size_t kSize = 46;
};

// Message EntryID (2.2.4.2), 70 bytes.
struct MessageEntryId {
  uint32_t flags = 0;
  Guid provider_uid;
  uint16_t message_type = store_object_type::PrivateMessage;
  GlobalId folder;   // FolderDatabaseGuid + FolderGlobalCounter
  GlobalId message;  // MessageDatabaseGuid + MessageGlobalCounter
  friend bool operator==(const MessageEntryId&, const MessageEntryId&) = default;
  static constexpr size_t kSize = 70;
};

// Store Object EntryID (2.2.4.3).
struct StoreEntryId {
  static constexpr uint32_t kMailboxWrappedType = 0x0000000C;
  static constexpr uint32_t kPublicWrappedType = 0x00000006;

  uint32_t flags = 0;
  // The 14-byte DLLFileName as it came: the spec gives "EMSMDB.DLL" padded with NULs; other
  // spellings of the same name (case) are accepted on decode and re-encoded unchanged.
  std::array<uint8_t, 14> dll_file_name = {'E', 'M', 'S', 'M', 'D', 'B', '.', 'D', 'L', 'L', 0, 0, 0, 0};
  uint32_t wrapped_flags = 0;
  Guid wrapped_provider_uid;  // provider_uid::kWrappedMailboxStore or kWrappedPublicStore
  uint32_t wrapped_type = kMailboxWrappedType;
  std::string server_short_name;          // 8-bit, NUL-terminated on the wire
  std::optional<std::string> mailbox_dn;  // present exactly when the store is not the public store
  Bytes trailing;                         // bytes after the spec's fields (see the file comment)
  friend bool operator==(const StoreEntryId&, const StoreEntryId&) = default;

  // The spec's public-store WrappedProviderUID; MailboxDN is absent exactly then.
  bool is_public_store() const noexcept { return wrapped_provider_uid == provider_uid::kWrappedPublicStore; }
};

// Address Book EntryID (2.2.5.2), the same bytes as MS-OXNSPI's PermanentEntryID.
struct AddressBookEntryId {
  uint32_t flags = 0;
  uint32_t type = 0;   // display type: 0x0 local mail user ... 0x200 search (see address_book_type_name)
  std::string x500_dn; // 8-bit, NUL-terminated on the wire
  friend bool operator==(const AddressBookEntryId&, const AddressBookEntryId&) = default;
};
const char* address_book_type_name(uint32_t type) noexcept;

// EphemeralEntryID (MS-OXNSPI 2.2.9.2): IDType 0x87, R1..R3 = 0, ProviderUID (the NSPI server's
// GUID), R4 = 1, DisplayType, MId; 32 bytes.
struct EphemeralEntryId {
  static constexpr uint8_t kIdType = 0x87;
  Guid provider_uid;
  uint32_t display_type = 0;
  uint32_t mid = 0;
  friend bool operator==(const EphemeralEntryId&, const EphemeralEntryId&) = default;
  static constexpr size_t kSize = 32;
};

// One-Off EntryID (2.2.5.1).
//
// The 2-byte flags word is kept as the little-endian word MAPI defines (MAPI_ONE_OFF_UNICODE =
// 0x8000, MAPI_ONE_OFF_NO_RICH_INFO = 0x0001). The spec's bit diagram places, in the first byte,
// Pad(1) MAE(2) Format(4) M(1) and in the second U(1) R(2) L(1) Pad(4), most significant bit first;
// in this word that is M 0x0001, Format 0x001E, MAE 0x0060, U 0x8000, R 0x6000, L 0x1000.
struct OneOffEntryId {
  static constexpr uint16_t kUnicode = 0x8000;      // U: strings are UTF-16LE
  static constexpr uint16_t kNoLookup = 0x1000;     // L: server must not look the address up
  static constexpr uint16_t kMime = 0x0001;         // M: send pure MIME rather than TNEF
  static constexpr uint16_t kFormatMask = 0x001E;   // Format: TextOnly 3, HtmlOnly 7, TextAndHtml 11
  static constexpr uint16_t kMacEncodingMask = 0x0060;  // MAE: BinHex 0, UUENCODE 1, AppleSingle 2, AppleDouble 3
  static constexpr uint16_t kReservedMask = 0x6F80;     // R and both Pads: written as 0

  uint32_t flags = 0;
  uint16_t format_flags = kUnicode;
  // UTF-8 when kUnicode is set; raw 8-bit bytes otherwise.
  std::string display_name;
  std::string address_type;
  std::string email_address;
  friend bool operator==(const OneOffEntryId&, const OneOffEntryId&) = default;

  bool is_unicode() const noexcept { return (format_flags & kUnicode) != 0; }
  unsigned format() const noexcept { return (format_flags & kFormatMask) >> 1; }
  unsigned mac_encoding() const noexcept { return (format_flags & kMacEncodingMask) >> 5; }
};

// Contact Address EntryID (2.2.5.3, Type 4, Index 0..5 = Email1..3, Fax1..3) and Personal
// Distribution List EntryID (2.2.5.4, Type 5, Index 0xFF): both wrap the Message EntryID of a
// Contact or PDL object.
struct ContactEntryId {
  static constexpr uint32_t kContactAddressType = 4;
  static constexpr uint32_t kDistributionListType = 5;
  static constexpr uint32_t kDistributionListIndex = 0xFF;

  uint32_t flags = 0;
  uint32_t type = kContactAddressType;
  uint32_t index = 0;
  MessageEntryId object;
  // Up to 3 unused bytes that Outlook 2003/2007 leave at the end (2.2.5.3, note 4).
  Bytes trailing;
  friend bool operator==(const ContactEntryId&, const ContactEntryId&) = default;
};

// An entry ID this library does not know, kept byte for byte.
struct RawEntryId {
  Bytes bytes;
  friend bool operator==(const RawEntryId&, const RawEntryId&) = default;
};

using EntryId = std::variant<RawEntryId, FolderEntryId, MessageEntryId, StoreEntryId, AddressBookEntryId,
                             EphemeralEntryId, OneOffEntryId, ContactEntryId>;

// Decodes a whole entry ID (the bytes of a PtypBinary value). base_offset makes error offsets point
// into the enclosing buffer.
EntryId decode_entry_id(ByteView bytes, size_t base_offset = 0);
void encode_entry_id(ByteWriter& w, const EntryId& id);
Bytes encode_entry_id(const EntryId& id);

// Decoders of one kind over a reader that holds exactly that entry ID (each ends with expect_end).
FolderEntryId decode_folder_entry_id(ByteReader& r);
MessageEntryId decode_message_entry_id(ByteReader& r);
StoreEntryId decode_store_entry_id(ByteReader& r);
AddressBookEntryId decode_address_book_entry_id(ByteReader& r);
EphemeralEntryId decode_ephemeral_entry_id(ByteReader& r);
OneOffEntryId decode_one_off_entry_id(ByteReader& r);
ContactEntryId decode_contact_entry_id(ByteReader& r);

// "FolderEntryID", "MessageEntryID", "StoreObjectEntryID", "AddressBookEntryID",
// "EphemeralEntryID", "OneOffEntryID", "ContactAddressEntryID",
// "PersonalDistributionListEntryID" or "unknown".
const char* entry_id_kind(const EntryId& id) noexcept;
// One line for logs and the CLI, e.g. "OneOffEntryID{Bob <SMTP:bob@example.com>, unicode}".
std::string describe(const EntryId& id);

}  // namespace exmapi::rop
