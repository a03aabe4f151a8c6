#include "rop/rops_notification.hpp"

#include <cstdio>

namespace exmapi::rop {

namespace {

struct Named {
  uint16_t value;
  const char* name;
};
constexpr Named kNotificationTypes[] = {
    {notification_type::NewMail, "NewMail"},
    {notification_type::ObjectCreated, "ObjectCreated"},
    {notification_type::ObjectDeleted, "ObjectDeleted"},
    {notification_type::ObjectModified, "ObjectModified"},
    {notification_type::ObjectMoved, "ObjectMoved"},
    {notification_type::ObjectCopied, "ObjectCopied"},
    {notification_type::SearchComplete, "SearchComplete"},
    {notification_type::TableModified, "TableModified"},
    {notification_type::Extended, "Extended"},
};
constexpr Named kTableEvents[] = {
    {table_event::TableChanged, "TableChanged"},
    {table_event::TableRowAdded, "TableRowAdded"},
    {table_event::TableRowDeleted, "TableRowDeleted"},
    {table_event::TableRowModified, "TableRowModified"},
    {table_event::TableRestrictionChanged, "TableRestrictionChanged"},
};

template <size_t N>
const char* name_of(const Named (&table)[N], uint16_t v) {
  for (const Named& n : table)
    if (n.value == v) return n.name;
  return nullptr;
}

std::string hex4(uint16_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%04X", v);
  return buf;
}

}  // namespace

const char* NotificationFlagsCodec::invalid_reason(uint16_t v) noexcept {
  namespace nf = notification_flags;
  if (!name_of(kNotificationTypes, v & nf::TypeMask)) return "NotificationType is not one MS-OXCNOTIF 2.2.1.4.1.2 defines";
  if ((v & (nf::TotalMessageCount | nf::UnreadMessageCount)) && (v & nf::TypeMask) != notification_type::ObjectModified)
    return "bit 0x1000 or 0x2000 is set but the NotificationType is not ObjectModified (0x0010)";
  if ((v & nf::SearchFolder) && !(v & nf::Message)) return "bit 0x4000 (search folder) is set without bit 0x8000 (message)";
  return nullptr;
}

uint16_t NotificationFlagsCodec::decode(ByteReader& r) {
  size_t at = r.offset();
  uint16_t v = r.u16("");
  if (const char* why = invalid_reason(v)) throw DecodeError(at, "", hex4(v) + ": " + why);
  return v;
}

void NotificationFlagsCodec::encode(ByteWriter& w, uint16_t v) {
  if (const char* why = invalid_reason(v)) throw EncodeError("NotificationFlags", hex4(v) + ": " + why);
  w.u16(v);
}

std::string NotificationFlagsCodec::print(uint16_t v) {
  namespace nf = notification_flags;
  const char* type = name_of(kNotificationTypes, v & nf::TypeMask);
  std::string s = hex4(v) + " " + (type ? type : "?");
  if (v & nf::Message) s += "|Message";
  if (v & nf::SearchFolder) s += "|SearchFolder";
  if (v & nf::TotalMessageCount) s += "|TotalMessageCount";
  if (v & nf::UnreadMessageCount) s += "|UnreadMessageCount";
  return s;
}

void NotificationFlagsCodec::sample(Sampler& s, uint16_t& v) {
  namespace nf = notification_flags;
  v = kNotificationTypes[s.next() % std::size(kNotificationTypes)].value;
  if (s.next() % 2) {
    v |= nf::Message;
    if (s.next() % 2) v |= nf::SearchFolder;
  }
  if ((v & nf::TypeMask) == notification_type::ObjectModified) {
    if (s.next() % 2) v |= nf::TotalMessageCount;
    if (s.next() % 2) v |= nf::UnreadMessageCount;
  }
}

uint16_t TableEventTypeCodec::decode(ByteReader& r) {
  size_t at = r.offset();
  uint16_t v = r.u16("");
  if (!name_of(kTableEvents, v)) throw DecodeError(at, "", hex4(v) + " is not a TableEventType MS-OXCNOTIF 2.2.1.4.1.2 defines");
  return v;
}

void TableEventTypeCodec::encode(ByteWriter& w, uint16_t v) {
  if (!name_of(kTableEvents, v)) throw EncodeError("TableEventType", hex4(v) + " is not a TableEventType the structure defines");
  w.u16(v);
}

std::string TableEventTypeCodec::print(uint16_t v) {
  const char* name = name_of(kTableEvents, v);
  return hex4(v) + " " + (name ? name : "?");
}

void TableEventTypeCodec::sample(Sampler& s, uint16_t& v) { v = kTableEvents[s.next() % std::size(kTableEvents)].value; }

}  // namespace exmapi::rop
