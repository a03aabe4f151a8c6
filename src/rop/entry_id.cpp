#include "rop/entry_id.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace exmapi::rop {

namespace {

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

// Reads a field whose value the spec fixes; the error points at the field's first byte.
template <class T>
void expect_fixed(ByteReader& r, T want, std::string_view field) {
  size_t at = r.offset();
  T got;
  if constexpr (sizeof(T) == 1) got = r.u8(field);
  else if constexpr (sizeof(T) == 2) got = r.u16(field);
  else got = r.u32(field);
  if (got != want)
    throw DecodeError(at, field, "must be " + hex32(want) + ", got " + hex32(got));
}

Guid expect_guid(ByteReader& r, const Guid& want, std::string_view field) {
  size_t at = r.offset();
  Guid got = Guid::read(r, field);
  if (got != want) throw DecodeError(at, field, "must be " + want.to_string() + ", got " + got.to_string());
  return got;
}

constexpr Guid guid_of(std::array<uint8_t, 16> bytes) { return Guid{bytes}; }

bool iequals_ascii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

// DLLFileName (2.2.4.3): "EMSMDB.DLL" and NUL padding to 14 bytes, compared without regard to case.
bool is_emsmdb_dll_name(ByteView name14) {
  static constexpr std::string_view kName = "emsmdb.dll";
  if (name14.size() != 14) return false;
  std::string_view text(reinterpret_cast<const char*>(name14.data()), kName.size());
  if (!iequals_ascii(text, kName)) return false;
  return std::all_of(name14.begin() + kName.size(), name14.end(), [](uint8_t b) { return b == 0; });
}

// Offsets of the fields that tell the kinds apart.
constexpr size_t kProviderUidAt = 4;
constexpr size_t kObjectTypeAt = 20;
constexpr size_t kStoreDllNameAt = 22;

void write_one_off_string(ByteWriter& w, const std::string& s, bool unicode, std::string_view field) {
  if (unicode) write_utf16z(w, s, field);
  else write_str8z(w, s, field);
}

std::string read_one_off_string(ByteReader& r, bool unicode, std::string_view field) {
  return unicode ? read_utf16z(r, field) : read_str8z(r, field);
}

void check_flags_word(uint16_t word, size_t at) {
  if (word & OneOffEntryId::kReservedMask)
    throw DecodeError(at, "OneOffEntryID.Flags",
                      "reserved bits " + hex32(word & OneOffEntryId::kReservedMask) + " are set");
}

void write_message_entry_id(ByteWriter& w, const MessageEntryId& m);

}  // namespace

namespace provider_uid {
const Guid kPublicFolderStore = guid_of({0x1A, 0x44, 0x73, 0x90, 0xAA, 0x66, 0x11, 0xCD, 0x9B, 0xC8, 0x00, 0xAA, 0x00, 0x2F, 0xC4, 0x5A});
const Guid kStoreWrap = guid_of({0x38, 0xA1, 0xBB, 0x10, 0x05, 0xE5, 0x10, 0x1A, 0xA1, 0xBB, 0x08, 0x00, 0x2B, 0x2A, 0x56, 0xC2});
const Guid kWrappedMailboxStore = guid_of({0x1B, 0x55, 0xFA, 0x20, 0xAA, 0x66, 0x11, 0xCD, 0x9B, 0xC8, 0x00, 0xAA, 0x00, 0x2F, 0xC4, 0x5A});
const Guid kWrappedPublicStore = guid_of({0x1C, 0x83, 0x02, 0x10, 0xAA, 0x66, 0x11, 0xCD, 0x9B, 0xC8, 0x00, 0xAA, 0x00, 0x2F, 0xC4, 0x5A});
const Guid kAddressBook = guid_of({0xDC, 0xA7, 0x40, 0xC8, 0xC0, 0x42, 0x10, 0x1A, 0xB4, 0xB9, 0x08, 0x00, 0x2B, 0x2F, 0xE1, 0x82});
const Guid kOneOff = guid_of({0x81, 0x2B, 0x1F, 0xA4, 0xBE, 0xA3, 0x10, 0x19, 0x9D, 0x6E, 0x00, 0xDD, 0x01, 0x0F, 0x54, 0x02});
const Guid kContactProvider = guid_of({0xFE, 0x42, 0xAA, 0x0A, 0x18, 0xC7, 0x1A, 0x10, 0xE8, 0x85, 0x0B, 0x65, 0x1C, 0x24, 0x00, 0x00});
}  // namespace provider_uid

// ---- 2.2.1: short-term and global identifiers ----

uint64_t read_global_counter(ByteReader& r, std::string_view field) {
  ByteView b = r.bytes(6, field);
  uint64_t v = 0;
  for (uint8_t x : b) v = (v << 8) | x;
  return v;
}

void write_global_counter(ByteWriter& w, uint64_t counter, std::string_view field) {
  if (counter > kMaxGlobalCounter) throw EncodeError(field, "GlobalCounter " + std::to_string(counter) + " exceeds 48 bits");
  for (int shift = 40; shift >= 0; shift -= 8) w.u8(static_cast<uint8_t>(counter >> shift));
}

ObjectId ObjectId::from_wire_u64(uint64_t value) noexcept {
  ObjectId id;
  id.replica_id = static_cast<uint16_t>(value & 0xFFFF);
  // Bytes 2..7 of the little-endian value hold the counter most significant byte first.
  uint64_t counter = 0;
  for (int i = 2; i < 8; ++i) counter = (counter << 8) | ((value >> (8 * i)) & 0xFF);
  id.global_counter = counter;
  return id;
}

uint64_t ObjectId::to_wire_u64() const {
  if (global_counter > kMaxGlobalCounter) throw EncodeError("ObjectId.GlobalCounter", "exceeds 48 bits");
  uint64_t v = replica_id;
  for (int i = 2; i < 8; ++i) v |= ((global_counter >> (8 * (7 - i))) & 0xFF) << (8 * i);
  return v;
}

ObjectId ObjectId::read(ByteReader& r, std::string_view field) {
  return in_field(field, [&] {
    ObjectId id;
    id.replica_id = r.u16("ReplicaId");
    id.global_counter = read_global_counter(r, "GlobalCounter");
    return id;
  });
}

void ObjectId::write(ByteWriter& w) const {
  w.u16(replica_id);
  write_global_counter(w, global_counter, "ObjectId.GlobalCounter");
}

std::string ObjectId::to_string() const {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04X-%012llX", replica_id, static_cast<unsigned long long>(global_counter));
  return buf;
}

GlobalId GlobalId::read(ByteReader& r, std::string_view field) {
  return in_field(field, [&] {
    GlobalId g;
    g.database_guid = Guid::read(r, "DatabaseGuid");
    g.global_counter = read_global_counter(r, "GlobalCounter");
    return g;
  });
}

void GlobalId::write(ByteWriter& w) const {
  database_guid.write(w);
  write_global_counter(w, global_counter, "GID.GlobalCounter");
}

LongTermId LongTermId::read(ByteReader& r, std::string_view field) {
  return in_field(field, [&] {
    LongTermId id;
    id.gid = GlobalId::read(r, "GID");
    expect_fixed<uint16_t>(r, 0, "Pad");
    return id;
  });
}

void LongTermId::write(ByteWriter& w) const {
  gid.write(w);
  w.u16(0);
}

Xid Xid::read(ByteReader& r, size_t size, std::string_view field) {
  return in_field(field, [&] {
    if (size < 17 || size > 24)
      r.fail("size", "an XID is 17 to 24 bytes (16-byte GUID and 1 to 8 bytes LocalId), not " + std::to_string(size));
    Xid x;
    x.namespace_guid = Guid::read(r, "NamespaceGuid");
    ByteView local = r.bytes(size - 16, "LocalId");
    x.local_id.assign(local.begin(), local.end());
    return x;
  });
}

void Xid::write(ByteWriter& w) const {
  if (local_id.empty() || local_id.size() > 8)
    throw EncodeError("XID.LocalId", "must be 1 to 8 bytes, not " + std::to_string(local_id.size()));
  namespace_guid.write(w);
  w.bytes(local_id);
}

// ---- 2.2.4: messaging object entry IDs ----

bool is_folder_object_type(uint16_t type) noexcept {
  using namespace store_object_type;
  return type == PrivateFolder || type == PublicFolder || type == MappedPublicFolder || type == PublicNewsgroupFolder;
}

bool is_message_object_type(uint16_t type) noexcept {
  using namespace store_object_type;
  return type == PrivateMessage || type == PublicMessage || type == MappedPublicMessage;
}

const char* store_object_type_name(uint16_t type) noexcept {
  switch (type) {
    case store_object_type::PrivateFolder: return "PrivateFolder";
    case store_object_type::PublicFolder: return "PublicFolder";
    case store_object_type::MappedPublicFolder: return "MappedPublicFolder";
    case store_object_type::PrivateMessage: return "PrivateMessage";
    case store_object_type::PublicMessage: return "PublicMessage";
    case store_object_type::MappedPublicMessage: return "MappedPublicMessage";
    case store_object_type::PublicNewsgroupFolder: return "PublicNewsgroupFolder";
    default: return nullptr;
  }
}

FolderEntryId decode_folder_entry_id(ByteReader& r) {
  return in_field("FolderEntryID", [&] {
    FolderEntryId e;
    e.flags = r.u32("Flags");
    e.provider_uid = Guid::read(r, "ProviderUID");
    size_t at = r.offset();
    e.folder_type = r.u16("FolderType");
    if (!is_folder_object_type(e.folder_type))
      throw DecodeError(at, "FolderType", hex32(e.folder_type) + " is not a folder type");
    e.folder.database_guid = Guid::read(r, "DatabaseGuid");
    e.folder.global_counter = read_global_counter(r, "GlobalCounter");
    expect_fixed<uint16_t>(r, 0, "Pad");
    r.expect_end("end");
    return e;
  });
}

namespace {
void write_folder_entry_id(ByteWriter& w, const FolderEntryId& e) {
  if (!is_folder_object_type(e.folder_type))
    throw EncodeError("FolderEntryID.FolderType", hex32(e.folder_type) + " is not a folder type");
  w.u32(e.flags);
  e.provider_uid.write(w);
  w.u16(e.folder_type);
  e.folder.write(w);
  w.u16(0);
}

MessageEntryId read_message_entry_id_fields(ByteReader& r) {
  MessageEntryId e;
  e.flags = r.u32("Flags");
  e.provider_uid = Guid::read(r, "ProviderUID");
  size_t at = r.offset();
  e.message_type = r.u16("MessageType");
  if (!is_message_object_type(e.message_type))
    throw DecodeError(at, "MessageType", hex32(e.message_type) + " is not a message type");
  e.folder.database_guid = Guid::read(r, "FolderDatabaseGuid");
  e.folder.global_counter = read_global_counter(r, "FolderGlobalCounter");
  expect_fixed<uint16_t>(r, 0, "Pad");
  e.message.database_guid = Guid::read(r, "MessageDatabaseGuid");
  e.message.global_counter = read_global_counter(r, "MessageGlobalCounter");
  expect_fixed<uint16_t>(r, 0, "Pad");
  return e;
}

void write_message_entry_id(ByteWriter& w, const MessageEntryId& e) {
  if (!is_message_object_type(e.message_type))
    throw EncodeError("MessageEntryID.MessageType", hex32(e.message_type) + " is not a message type");
  w.u32(e.flags);
  e.provider_uid.write(w);
  w.u16(e.message_type);
  e.folder.write(w);
  w.u16(0);
  e.message.write(w);
  w.u16(0);
}
}  // namespace

MessageEntryId decode_message_entry_id(ByteReader& r) {
  return in_field("MessageEntryID", [&] {
    MessageEntryId e = read_message_entry_id_fields(r);
    r.expect_end("end");
    return e;
  });
}

StoreEntryId decode_store_entry_id(ByteReader& r) {
  return in_field("StoreObjectEntryID", [&] {
    StoreEntryId e;
    e.flags = r.u32("Flags");
    expect_guid(r, provider_uid::kStoreWrap, "ProviderUID");
    expect_fixed<uint8_t>(r, 0, "Version");
    expect_fixed<uint8_t>(r, 0, "Flag");
    size_t at = r.offset();
    ByteView dll = r.bytes(14, "DLLFileName");
    if (!is_emsmdb_dll_name(dll)) throw DecodeError(at, "DLLFileName", "is not \"emsmdb.dll\" padded with NULs to 14 bytes");
    std::copy(dll.begin(), dll.end(), e.dll_file_name.begin());
    e.wrapped_flags = r.u32("WrappedFlags");
    e.wrapped_provider_uid = Guid::read(r, "WrappedProviderUID");
    e.wrapped_type = r.u32("WrappedType");
    e.server_short_name = read_str8z(r, "ServerShortname");
    if (!e.is_public_store()) e.mailbox_dn = read_str8z(r, "MailboxDN");
    ByteView rest = r.bytes(r.remaining(), "trailing");
    e.trailing.assign(rest.begin(), rest.end());
    return e;
  });
}

namespace {
void write_store_entry_id(ByteWriter& w, const StoreEntryId& e) {
  if (!is_emsmdb_dll_name(e.dll_file_name))
    throw EncodeError("StoreObjectEntryID.DLLFileName", "must be \"emsmdb.dll\" padded with NULs");
  if (e.is_public_store() == e.mailbox_dn.has_value())
    throw EncodeError("StoreObjectEntryID.MailboxDN", "must be present exactly when the store is not the public store");
  w.u32(e.flags);
  provider_uid::kStoreWrap.write(w);
  w.u8(0);
  w.u8(0);
  w.bytes(e.dll_file_name);
  w.u32(e.wrapped_flags);
  e.wrapped_provider_uid.write(w);
  w.u32(e.wrapped_type);
  write_str8z(w, e.server_short_name, "StoreObjectEntryID.ServerShortname");
  if (e.mailbox_dn) write_str8z(w, *e.mailbox_dn, "StoreObjectEntryID.MailboxDN");
  w.bytes(e.trailing);
}
}  // namespace

// ---- 2.2.5: recipient entry IDs ----

const char* address_book_type_name(uint32_t type) noexcept {
  switch (type) {
    case 0x000: return "LocalMailUser";
    case 0x001: return "DistributionList";
    case 0x002: return "BulletinBoardOrPublicFolder";
    case 0x003: return "AutomatedMailbox";
    case 0x004: return "OrganizationalMailbox";
    case 0x005: return "PrivateDistributionList";
    case 0x006: return "RemoteMailUser";
    case 0x100: return "Container";
    case 0x101: return "Template";
    case 0x102: return "OneOffUser";
    case 0x200: return "Search";
    default: return nullptr;
  }
}

AddressBookEntryId decode_address_book_entry_id(ByteReader& r) {
  return in_field("AddressBookEntryID", [&] {
    AddressBookEntryId e;
    e.flags = r.u32("Flags");
    expect_guid(r, provider_uid::kAddressBook, "ProviderUID");
    expect_fixed<uint32_t>(r, 1, "Version");
    e.type = r.u32("Type");
    e.x500_dn = read_str8z(r, "X500DN");
    r.expect_end("end");
    return e;
  });
}

EphemeralEntryId decode_ephemeral_entry_id(ByteReader& r) {
  return in_field("EphemeralEntryID", [&] {
    EphemeralEntryId e;
    expect_fixed<uint8_t>(r, EphemeralEntryId::kIdType, "IDType");
    expect_fixed<uint8_t>(r, 0, "R1");
    expect_fixed<uint8_t>(r, 0, "R2");
    expect_fixed<uint8_t>(r, 0, "R3");
    e.provider_uid = Guid::read(r, "ProviderUID");
    expect_fixed<uint32_t>(r, 1, "R4");
    e.display_type = r.u32("DisplayType");
    e.mid = r.u32("MId");
    r.expect_end("end");
    return e;
  });
}

OneOffEntryId decode_one_off_entry_id(ByteReader& r) {
  return in_field("OneOffEntryID", [&] {
    OneOffEntryId e;
    e.flags = r.u32("Flags");
    expect_guid(r, provider_uid::kOneOff, "ProviderUID");
    expect_fixed<uint16_t>(r, 0, "Version");
    size_t at = r.offset();
    e.format_flags = r.u16("Flags");
    check_flags_word(e.format_flags, at);
    bool unicode = e.is_unicode();
    e.display_name = read_one_off_string(r, unicode, "DisplayName");
    e.address_type = read_one_off_string(r, unicode, "AddressType");
    e.email_address = read_one_off_string(r, unicode, "EmailAddress");
    r.expect_end("end");
    return e;
  });
}

ContactEntryId decode_contact_entry_id(ByteReader& r) {
  ContactEntryId e;
  size_t type_at = r.offset() + 24;
  uint32_t type = r.remaining() >= 28 ? detail::load_le<uint32_t>(r.rest().data() + 24) : 0;
  const char* name = type == ContactEntryId::kDistributionListType ? "PersonalDistributionListEntryID"
                                                                   : "ContactAddressEntryID";
  return in_field(name, [&] {
    e.flags = r.u32("Flags");
    expect_guid(r, provider_uid::kContactProvider, "ProviderUID");
    expect_fixed<uint32_t>(r, 3, "Version");
    e.type = r.u32("Type");
    size_t index_at = r.offset();
    e.index = r.u32("Index");
    if (e.type == ContactEntryId::kContactAddressType) {
      if (e.index > 5) throw DecodeError(index_at, "Index", "must be 0 to 5 (Email1..3, Fax1..3), got " + std::to_string(e.index));
    } else if (e.type == ContactEntryId::kDistributionListType) {
      if (e.index != ContactEntryId::kDistributionListIndex)
        throw DecodeError(index_at, "Index", "must be 0x000000FF, got " + hex32(e.index));
    } else {
      throw DecodeError(type_at, "Type", "must be 4 (contact address) or 5 (distribution list), got " + hex32(e.type));
    }
    uint32_t count = r.u32("EntryIdCount");
    ByteReader inner = r.sub(count, "EntryIdBytes");
    e.object = in_field("EntryIdBytes", [&] { return decode_message_entry_id(inner); });
    if (r.remaining() > 3) r.expect_end("end");
    ByteView rest = r.bytes(r.remaining(), "unused");
    e.trailing.assign(rest.begin(), rest.end());
    return e;
  });
}

namespace {
void write_contact_entry_id(ByteWriter& w, const ContactEntryId& e) {
  if (e.type == ContactEntryId::kContactAddressType ? e.index > 5
      : e.type == ContactEntryId::kDistributionListType ? e.index != ContactEntryId::kDistributionListIndex
                                                         : true)
    throw EncodeError("ContactEntryID", "Type/Index must be 4 with 0..5 or 5 with 0xFF");
  if (e.trailing.size() > 3) throw EncodeError("ContactEntryID.trailing", "at most 3 unused bytes");
  w.u32(e.flags);
  provider_uid::kContactProvider.write(w);
  w.u32(3);
  w.u32(e.type);
  w.u32(e.index);
  w.u32(MessageEntryId::kSize);
  write_message_entry_id(w, e.object);
  w.bytes(e.trailing);
}

void write_one_off_entry_id(ByteWriter& w, const OneOffEntryId& e) {
  if (e.format_flags & OneOffEntryId::kReservedMask)
    throw EncodeError("OneOffEntryID.Flags", "reserved bits are set");
  w.u32(e.flags);
  provider_uid::kOneOff.write(w);
  w.u16(0);
  w.u16(e.format_flags);
  write_one_off_string(w, e.display_name, e.is_unicode(), "OneOffEntryID.DisplayName");
  write_one_off_string(w, e.address_type, e.is_unicode(), "OneOffEntryID.AddressType");
  write_one_off_string(w, e.email_address, e.is_unicode(), "OneOffEntryID.EmailAddress");
}

bool guid_at(ByteView b, size_t at, const Guid& g) {
  return b.size() >= at + 16 && std::memcmp(b.data() + at, g.bytes.data(), 16) == 0;
}
}  // namespace

EntryId decode_entry_id(ByteView bytes, size_t base_offset) {
  ByteReader r(bytes, base_offset);
  if (bytes.size() >= EphemeralEntryId::kSize && bytes[0] == EphemeralEntryId::kIdType && bytes.size() == EphemeralEntryId::kSize)
    return decode_ephemeral_entry_id(r);
  if (guid_at(bytes, kProviderUidAt, provider_uid::kOneOff)) return decode_one_off_entry_id(r);
  if (guid_at(bytes, kProviderUidAt, provider_uid::kAddressBook)) return decode_address_book_entry_id(r);
  if (guid_at(bytes, kProviderUidAt, provider_uid::kContactProvider)) return decode_contact_entry_id(r);
  // MUIDStoreWrap wraps the entry IDs of every store provider; only emsmdb.dll's is specified.
  if (guid_at(bytes, kProviderUidAt, provider_uid::kStoreWrap) && bytes.size() >= kStoreDllNameAt + 14 &&
      is_emsmdb_dll_name(bytes.subspan(kStoreDllNameAt, 14)))
    return decode_store_entry_id(r);
  if (bytes.size() >= kObjectTypeAt + 2) {
    uint16_t type = detail::load_le<uint16_t>(bytes.data() + kObjectTypeAt);
    if (bytes.size() == FolderEntryId::kSize && is_folder_object_type(type)) return decode_folder_entry_id(r);
    if (bytes.size() == MessageEntryId::kSize && is_message_object_type(type)) return decode_message_entry_id(r);
  }
  return RawEntryId{Bytes(bytes.begin(), bytes.end())};
}

void encode_entry_id(ByteWriter& w, const EntryId& id) {
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, RawEntryId>) {
          w.bytes(e.bytes);
        } else if constexpr (std::is_same_v<T, FolderEntryId>) {
          write_folder_entry_id(w, e);
        } else if constexpr (std::is_same_v<T, MessageEntryId>) {
          write_message_entry_id(w, e);
        } else if constexpr (std::is_same_v<T, StoreEntryId>) {
          write_store_entry_id(w, e);
        } else if constexpr (std::is_same_v<T, AddressBookEntryId>) {
          w.u32(e.flags);
          provider_uid::kAddressBook.write(w);
          w.u32(1);
          w.u32(e.type);
          write_str8z(w, e.x500_dn, "AddressBookEntryID.X500DN");
        } else if constexpr (std::is_same_v<T, EphemeralEntryId>) {
          w.u8(EphemeralEntryId::kIdType);
          w.zeros(3);
          e.provider_uid.write(w);
          w.u32(1);
          w.u32(e.display_type);
          w.u32(e.mid);
        } else if constexpr (std::is_same_v<T, OneOffEntryId>) {
          write_one_off_entry_id(w, e);
        } else {
          static_assert(std::is_same_v<T, ContactEntryId>);
          write_contact_entry_id(w, e);
        }
      },
      id);
}

Bytes encode_entry_id(const EntryId& id) {
  ByteWriter w;
  encode_entry_id(w, id);
  return w.take();
}

const char* entry_id_kind(const EntryId& id) noexcept {
  return std::visit(
      [](const auto& e) -> const char* {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, FolderEntryId>) return "FolderEntryID";
        else if constexpr (std::is_same_v<T, MessageEntryId>) return "MessageEntryID";
        else if constexpr (std::is_same_v<T, StoreEntryId>) return "StoreObjectEntryID";
        else if constexpr (std::is_same_v<T, AddressBookEntryId>) return "AddressBookEntryID";
        else if constexpr (std::is_same_v<T, EphemeralEntryId>) return "EphemeralEntryID";
        else if constexpr (std::is_same_v<T, OneOffEntryId>) return "OneOffEntryID";
        else if constexpr (std::is_same_v<T, ContactEntryId>)
          return e.type == ContactEntryId::kDistributionListType ? "PersonalDistributionListEntryID" : "ContactAddressEntryID";
        else return "unknown";
      },
      id);
}

namespace {
std::string describe_gid(const GlobalId& g) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%012llX", static_cast<unsigned long long>(g.global_counter));
  return g.database_guid.to_string() + ":" + buf;
}
std::string type_text(uint16_t type) {
  const char* n = store_object_type_name(type);
  return n ? std::string(n) : hex32(type);
}
std::string text8(const std::string& s) { return utf8_for_display(s); }
}  // namespace

std::string describe(const EntryId& id) {
  std::string out = entry_id_kind(id);
  out += '{';
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, RawEntryId>) {
          out += std::to_string(e.bytes.size()) + " bytes";
        } else if constexpr (std::is_same_v<T, FolderEntryId>) {
          out += type_text(e.folder_type) + ", store " + e.provider_uid.to_string() + ", folder " + describe_gid(e.folder);
        } else if constexpr (std::is_same_v<T, MessageEntryId>) {
          out += type_text(e.message_type) + ", store " + e.provider_uid.to_string() + ", folder " +
                 describe_gid(e.folder) + ", message " + describe_gid(e.message);
        } else if constexpr (std::is_same_v<T, StoreEntryId>) {
          out += e.is_public_store() ? "public store" : "mailbox";
          out += ", server " + text8(e.server_short_name);
          if (e.mailbox_dn) out += ", " + text8(*e.mailbox_dn);
          if (!e.trailing.empty()) out += ", +" + std::to_string(e.trailing.size()) + " bytes";
        } else if constexpr (std::is_same_v<T, AddressBookEntryId>) {
          const char* n = address_book_type_name(e.type);
          out += (n ? std::string(n) : hex32(e.type)) + ", " + text8(e.x500_dn);
        } else if constexpr (std::is_same_v<T, EphemeralEntryId>) {
          out += "server " + e.provider_uid.to_string() + ", MId " + hex32(e.mid);
        } else if constexpr (std::is_same_v<T, OneOffEntryId>) {
          out += utf8_for_display(e.display_name) + " <" + utf8_for_display(e.address_type) + ":" +
                 utf8_for_display(e.email_address) + ">" + (e.is_unicode() ? ", unicode" : ", 8-bit");
        } else {
          out += "index " + std::to_string(e.index) + ", " + describe(EntryId{e.object});
        }
      },
      id);
  out += '}';
  return out;
}

}  // namespace exmapi::rop
