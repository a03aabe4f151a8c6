#include "ndr/nspi_types.hpp"

namespace exmapi::ndr::nspi {

const Guid kGuidNspi = *Guid::parse("{C840A7DC-42C0-1A10-B4B9-08002B2FE182}");

namespace {
// IDType, R1..R3, ProviderUID, R4 and DisplayType open both entry ID forms.
template <class Id>
void read_opening(ByteReader& r, Id& id, uint8_t type, std::string_view what) {
  size_t at = r.offset();
  uint8_t t = r.u8("IDType");
  if (t != type)
    throw DecodeError(at, "IDType", std::string(what) + " IDType must be " + std::to_string(type) + ", not " +
                                        std::to_string(t));
  for (uint8_t& b : id.reserved) b = r.u8("R1..R3");
  id.provider_uid = Guid::read(r, "ProviderUID");
  id.r4 = r.u32("R4");
  id.display_type = r.u32("DisplayType");
}
template <class Id>
void write_opening(ByteWriter& w, const Id& id, uint8_t type) {
  w.u8(type);
  for (uint8_t b : id.reserved) w.u8(b);
  id.provider_uid.write(w);
  w.u32(id.r4);
  w.u32(id.display_type);
}
}  // namespace

EphemeralEntryId EphemeralEntryId::decode(ByteView bytes) {
  ByteReader r(bytes);
  EphemeralEntryId id;
  in_field("EphemeralEntryID", [&] {
    read_opening(r, id, kType, "EphemeralEntryID");
    id.mid = r.u32("MId");
    r.expect_end("EphemeralEntryID");
  });
  return id;
}

Bytes EphemeralEntryId::encode() const {
  ByteWriter w;
  write_opening(w, *this, kType);
  w.u32(mid);
  return w.take();
}

PermanentEntryId PermanentEntryId::decode(ByteView bytes) {
  ByteReader r(bytes);
  PermanentEntryId id;
  in_field("PermanentEntryID", [&] {
    read_opening(r, id, kType, "PermanentEntryID");
    id.distinguished_name = read_str8z(r, "DistinguishedName");
    r.expect_end("PermanentEntryID");
  });
  return id;
}

Bytes PermanentEntryId::encode() const {
  ByteWriter w;
  write_opening(w, *this, kType);
  write_str8z(w, distinguished_name, "DistinguishedName");
  return w.take();
}

}  // namespace exmapi::ndr::nspi
